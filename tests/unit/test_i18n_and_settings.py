import pytest

from tracker import i18n
from tracker.i18n_catalog import extract, missing
from tracker.settings import SettingsError, load_settings


def test_chinese_catalog_is_complete():
    assert missing("zh_Hans", extract()) == []


def test_language_follows_choice_then_browser():
    assert i18n.pick_language("zh_Hans", "en-GB") == "zh_Hans"
    assert i18n.pick_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh_Hans"
    assert i18n.pick_language(None, "fr-FR,en;q=0.5") == "en"
    assert i18n.pick_language(None, "zh-TW") == "en"
    assert i18n.pick_language("xx", None) == "en"


def test_translation_in_context():
    with i18n.language("zh_Hans"):
        assert i18n.gettext("Scoping") == "目标与范围"
    assert i18n.gettext("Scoping") == "Scoping"


def test_settings_defaults_to_sqlite_with_generated_key(tmp_path):
    settings = load_settings({"TRACKER_DATA_DIR": str(tmp_path)})
    assert settings.database_kind == "sqlite"
    assert (tmp_path / "secret_key").read_text() == settings.secret_key
    assert load_settings({"TRACKER_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TRACKER_ENV": "production", "DATABASE_URL": "postgresql://x/y"},
            "SECRET_KEY is required",
        ),
        ({"TRACKER_ENV": "production", "SECRET_KEY": "k" * 40}, "postgresql:// URL in production"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must start with"),
        ({"SECRET_KEY": "short"}, "at least 32"),
        ({"SMTP_PORT": "abc"}, "SMTP_PORT must be a whole number"),
        ({"BASE_URL": "example.com"}, "BASE_URL must be an http"),
        ({"TRACKER_ENV": "staging"}, "TRACKER_ENV must be"),
        ({"TRACKER_GC_THRESHOLD": "10"}, "TRACKER_GC_THRESHOLD must be"),
    ],
)
def test_bad_settings_fail_with_a_clear_message(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"TRACKER_DATA_DIR": str(tmp_path), **env})


def test_tuning_knobs_come_from_settings_not_the_environment_at_import(tmp_path):
    """The app reads every variable through Settings: a value given to load_settings is the
    one used, whatever the process environment says."""
    settings = load_settings(
        {
            "TRACKER_DATA_DIR": str(tmp_path),
            "TRACKER_GC_THRESHOLD": "5000",
            "TRACKER_QUERY_HEADER": "1",
        }
    )
    assert (settings.gc_threshold, settings.query_header) == (5000, True)
    plain = load_settings({"TRACKER_DATA_DIR": str(tmp_path)})
    assert (plain.gc_threshold, plain.query_header) == (20000, False)
