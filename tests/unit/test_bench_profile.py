"""The load benchmark's reading of py-spy's collapsed stacks (``--flame PATH.txt``)."""

from tracker.bench.load.profile import heaviest


def test_a_frame_counts_once_a_sample_and_the_heaviest_come_first() -> None:
    stacks = ["main;handle;render 6", "main;handle;query 3", "main;loop;handle;handle 1"]
    shares = {frame: share for share, frame in heaviest(stacks)}
    assert list(shares)[:2] == ["handle", "main"]  # ties by name
    assert shares["main"] == 1.0
    assert shares["handle"] == 1.0  # in every sample; twice in the last, counted once
    assert shares["render"] == 0.6
    assert shares["query"] == 0.3
    assert heaviest([], 5) == []
