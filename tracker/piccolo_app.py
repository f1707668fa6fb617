"""The Piccolo app: every table of the tracker, migrations in the top-level ``migrations/``."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tracker.accounts.recovery_tables import EmailChange, PasswordReset
from tracker.accounts.tables import (
    AccountMail,
    Invitation,
    LoginFailure,
    Membership,
    Organisation,
    Person,
    RecoveryCode,
    Session,
)
from tracker.api.tables import ApiToken
from tracker.attachments.tables import Attachment
from tracker.audit.tables import AuditEntry
from tracker.benefits.tables import BenefitPlan, BenefitRealised, BenefitRebaseline
from tracker.calendar.tables import CalendarFeed
from tracker.comments.tables import Comment, CommentMention
from tracker.digests.tables import Digest, DigestPreference, DigestSetting, EmailMessage
from tracker.gates.tables import (
    ApprovalStep,
    Condition,
    DecisionCorrection,
    GateCriterion,
    GateDecision,
    GateReview,
    GateRule,
    InitiativeEvent,
    ReviewAssignment,
    ReviewCriterion,
    Score,
    Vote,
)
from tracker.initiatives.tables import Initiative, Phase
from tracker.kpis.tables import (
    ControlChartSetting,
    Kpi,
    KpiAlert,
    KpiMeasurement,
    KpiStage,
    OptimisationEntry,
    SustainmentCheck,
)
from tracker.notifications.tables import Notification, NotificationPreference
from tracker.pilots.tables import (
    Pilot,
    PilotFeedback,
    PilotMetric,
    SatisfactionRating,
    UnmetProblem,
)
from tracker.problems.tables import AsIsStep, Measure, Problem, ProblemScoreChange
from tracker.risks.tables import ResistanceEntry, Risk, RiskScoreChange
from tracker.rollout.tables import RolloutWave, TrainingResult, TrainingSession
from tracker.sops.tables import (
    RaciCell,
    RaciRole,
    SopApproval,
    SopDocument,
    SopStep,
    SopVersion,
)
from tracker.uploads.tables import StoredFile, StoredFileChunk

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "tracker"

APP_CONFIG = AppConfig(
    app_name="tracker",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[
        Organisation,
        Person,
        Membership,
        Invitation,
        Session,
        LoginFailure,
        RecoveryCode,
        AccountMail,
        Initiative,
        Phase,
        GateCriterion,
        GateRule,
        GateReview,
        ReviewCriterion,
        ReviewAssignment,
        Vote,
        Score,
        GateDecision,
        DecisionCorrection,
        Condition,
        ApprovalStep,
        InitiativeEvent,
        Notification,
        NotificationPreference,
        Problem,
        AsIsStep,
        ProblemScoreChange,
        Measure,
        Pilot,
        PilotMetric,
        SatisfactionRating,
        UnmetProblem,
        PilotFeedback,
        Risk,
        RiskScoreChange,
        ResistanceEntry,
        DigestSetting,
        DigestPreference,
        Digest,
        EmailMessage,
        SopDocument,
        SopVersion,
        SopStep,
        SopApproval,
        RaciRole,
        RaciCell,
        RolloutWave,
        TrainingSession,
        TrainingResult,
        Kpi,
        KpiMeasurement,
        KpiAlert,
        KpiStage,
        ControlChartSetting,
        SustainmentCheck,
        OptimisationEntry,
        ApiToken,
        PasswordReset,
        EmailChange,
        StoredFile,
        BenefitPlan,
        BenefitRebaseline,
        BenefitRealised,
        Comment,
        CommentMention,
        CalendarFeed,
        StoredFileChunk,
        Attachment,
        AuditEntry,
    ],
    migration_dependencies=[],
    commands=[],
)
