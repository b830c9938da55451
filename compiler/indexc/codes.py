"""Every diagnostic code indexc emits, in one registry: its number, severity and a summary.

A spec author meets a code as `IX102` in a message and looks it up in the table of
docs/spec-language.md, section 9; a developer meets it at the line that emits it, where
`Code.UNKNOWN_REFERENCE` says what the diagnostic means without a trip to the table. The
registry joins the two: a `Diagnostic` takes a `Code`, never a string, so a code that is not
registered cannot be emitted, and tests/test_docs_codes.py holds the registry against the table
(each code a row, with the same severity) and against the validation and run cases.

A code's severity is part of what it means: a warning code is always a warning (or, under
`--strict`, an error) and the `Diagnostic` refuses any other. A few codes are an error in one
place and a warning in another (an audit's own severity, say); the registry lists both and says
what decides, in the words of the table, and their call sites pass the severity they chose.

This module is the bottom of the package: it imports nothing of indexc.
"""

from __future__ import annotations

import enum

DOCS_ANCHOR = "docs/spec-language.md#9-diagnostics"
"""Where a spec author reads what a code means: the table has a row per code, in code order."""


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # says what was left out of a report; never fails a run


ERROR, WARNING, NOTE = Severity.ERROR, Severity.WARNING, Severity.NOTE
EITHER = (ERROR, WARNING)


@enum.unique
class Code(enum.StrEnum):
    """A registered diagnostic code; its value, and what str() gives, is the code as printed (`IX102`).

    A member is written `NAME = "IXnnn", "summary", severity` and, for a code whose severity
    varies, `EITHER, "what decides"`, as the Severity column of the table puts it.
    """

    severities: tuple[Severity, ...]
    summary: str
    decided_by: str

    def __new__(
        cls,
        code: str,
        summary: str,
        severity: Severity | tuple[Severity, ...],
        decided_by: str = "",
    ) -> Code:
        member = str.__new__(cls, code)
        member._value_ = code
        member.summary = summary
        member.severities = severity if isinstance(severity, tuple) else (severity,)
        member.decided_by = decided_by
        return member

    @property
    def severity(self) -> Severity:
        """The severity of a code that has only one."""
        if len(self.severities) != 1:
            raise ValueError(f"{self.value} is {self.documented_severity}")
        return self.severities[0]

    @property
    def documented_severity(self) -> str:
        """The Severity cell of the code's row in the table: `error`, or `error or warning: ...`."""
        either = " or ".join(s.value for s in self.severities)
        return f"{either}: {self.decided_by}" if self.decided_by else either

    @property
    def docs(self) -> str:
        return DOCS_ANCHOR

    def allows(self, severity: Severity) -> bool:
        return severity in self.severities

    # Files and the command line
    UNREADABLE_FILE = "IX001", "the file cannot be read as YAML", ERROR
    NOT_A_SPEC_DOCUMENT = "IX002", "empty file, not a mapping, or an unsupported version", ERROR
    SCHEMA_VIOLATION = "IX003", "an entry does not fit the schema of its kind", ERROR
    UNKNOWN_KIND = "IX004", "unknown kind at the top level", ERROR
    NO_SPECS = "IX005", "no specs/ directory or no spec file", ERROR
    OLDER_LANGUAGE_VERSION = (
        "IX006",
        "written in an older language version",
        EITHER,
        "a warning when the file is read through the migration, an error otherwise",
    )
    UNREADABLE_COMMAND_LINE = "IX007", "the command line cannot be read", ERROR
    INVALID_OPTION_VALUE = "IX008", "an option value is not accepted", ERROR
    SERVER_NOT_STARTED = "IX009", "the build server cannot start", ERROR
    FOLLOW_ON_ERRORS_NOT_SHOWN = "IX010", "errors following from a file that failed", NOTE

    # References
    DUPLICATE_ID = "IX101", "an id defined twice within one kind", ERROR
    UNKNOWN_REFERENCE = "IX102", "unknown reference", ERROR
    REFERENCE_CYCLE = "IX103", "reference cycle", ERROR
    LISTED_TWICE = "IX105", "a lens twice in one index, or a metric twice in one lens", ERROR

    # Formulas
    FORMULA_DOES_NOT_PARSE = "IX201", "formula does not parse", ERROR
    FORMULA_NOT_ALLOWED = "IX202", "formula leaves the allow-list", ERROR
    ID_IS_SQL_KEYWORD = "IX203", "an id a formula cannot name", ERROR

    # Weights and methodology
    NON_POSITIVE_WEIGHT = "IX301", "a weight that is not positive", ERROR
    MISSING_WEIGHT = "IX302", "a lens or metric entry without a weight", ERROR
    WEIGHTED_BY_MISMATCH = (
        "IX303",
        "a mean without weighted_by, or weighted_by on a non-mean",
        ERROR,
    )
    MEAN_OF_NEGATIVE_SCORES = "IX310", "a mean of scores that can be negative", ERROR
    RATIO_OF_NEGATIVE_SCORES = "IX311", "a productivity ratio of scores that can be negative", ERROR
    GOALPOSTS_FOR_EVERY_METRIC = "IX312", "goalpost normalisation for every metric", ERROR
    GOALPOSTS_AGAINST_DIRECTION = "IX313", "goalposts against the metric's direction", ERROR

    # Levels: values an index reads on its universe's areas
    VALUE_NOT_ON_UNIVERSE = (
        "IX314",
        "a metric an index reads is on another level and no area map carries it",
        ERROR,
    )
    SEVERAL_AREA_MAPS = "IX315", "several area maps carry a metric onto the universe", ERROR
    AREA_MAP_DOES_NOT_CARRY = "IX316", "a `via` map that does not carry the metric", ERROR
    CROSSWALK_MEAN_UNWEIGHTED = (
        "IX317",
        "a mean through a crosswalk with no weight_to and no weighted_by of its level",
        ERROR,
    )
    GROUPING_NOT_ON_UNIVERSE = "IX318", "a grouping or neighbour list of another level", ERROR
    CONFLICTING_VIA = "IX319", "one metric read via different area maps in one index", ERROR

    # Lifecycle: an index's status, and lenses shown without weight
    STATUS_WITHOUT_REASON = "IX320", "a status of an index or a lens without a reason", ERROR
    UNTIL_MISPLACED = (
        "IX321",
        "a contingent or deferred index without `until`, or `until` on another",
        ERROR,
    )
    WEIGHT_ON_UNWEIGHTED_LENS = (
        "IX322",
        "a weight given to a lens that carries none (in the index or a scenario)",
        ERROR,
    )
    LENS_AGAINST_STATUS = (
        "IX323",
        "a lens whose content or use does not fit its status",
        ERROR,
    )
    NO_WEIGHT_CARRIED = "IX324", "an index or a lens none of whose lenses carries weight", ERROR
    # Indexes read by other indexes
    INDEX_CYCLE = "IX325", "indexes that read each other's scores in a cycle", ERROR
    INDEX_INPUT_NORMALISED_OTHERWISE = (
        "IX326",
        "a lens reads an index normalised another way",
        ERROR,
    )
    INDEX_INPUT_OTHER_UNIVERSE = "IX327", "a lens reads an index of another universe", ERROR
    INDEX_WITHOUT_METRICS = "IX328", "an index whose every lens reads another index", ERROR
    SECOND_HEADLINE = "IX329", "a second index, or one on hold, published as the headline", ERROR
    # Screening: areas left out of a period for too few values
    SCREEN_SHARE_OUT_OF_RANGE = (
        "IX330",
        "a screening share that is not above 0 and at most 1",
        ERROR,
    )
    SCREEN_UNKNOWN_LENS = "IX331", "a screening rule for a lens the index does not have", ERROR
    SCREEN_LENS_TWICE = "IX332", "two screening rules for one lens", ERROR
    SCREEN_WITHOUT_RULE = "IX333", "a `screen` with no rule", ERROR
    SCREEN_SHARE_NEEDS_EVERY_METRIC = (
        "IX334",
        "a screening share below 1 that an area meets only with every metric of its rule",
        WARNING,
    )
    # Headline policy: who may appear in the headline Top N
    HEADLINE_UNKNOWN_MEASURE = (
        "IX335",
        "a headline population floor on a measure that does not exist",
        ERROR,
    )
    HEADLINE_UNKNOWN_AREA = (
        "IX336",
        "a headline exclusion of an area the register does not have",
        ERROR,
    )
    HEADLINE_EMPTY_REASON = "IX337", "a headline exclusion without a reason", ERROR
    HEADLINE_FLOOR_NOT_POSITIVE = "IX338", "a headline population floor that is not above 0", ERROR
    HEADLINE_AREA_TWICE = "IX339", "an area excluded twice from one index's headline", ERROR

    # Comparisons: what an index's comparisons, trends and sentences show
    COMPARISON_WITHOUT_NEIGHBOURS = (
        "IX340",
        "a comparison with neighbours for an index that has none",
        ERROR,
    )
    NEUTRAL_UNKNOWN_METRIC = "IX341", "a neutral metric the index does not have", ERROR
    BENCHMARK_TWICE = "IX342", "a benchmark named twice", ERROR

    # Audiences: who reads which published results
    AUDIENCE_INDEXES_ON_EVERYTHING = "IX345", "`indexes` on an audience that sees everything", ERROR
    AUDIENCE_INDEX_ON_HOLD = "IX346", "an audience names an index on hold", ERROR
    AUDIENCE_NO_HEADLINE = "IX347", "a headline audience with no index to show", ERROR
    AUDIENCE_ROLE_SHARED = "IX348", "one Snowflake role for two audiences", ERROR
    AUDIENCE_INDEX_TWICE = "IX349", "an index named twice in one audience", ERROR

    # Contributed data (the data club)
    CONSENT_MISSING = (
        "IX350",
        "a contributed source without consent, or consent without contributor",
        ERROR,
    )
    UNKNOWN_CONSENT_AUDIENCE = (
        "IX351",
        "a consent names an audience or scope that does not exist",
        ERROR,
    )
    CONTRIBUTED_BINDING_WITHOUT_FROM = (
        "IX352",
        "a binding of a contributed source that does not say from which period it supersedes",
        ERROR,
    )
    CONTRIBUTED_WITHOUT_PUBLIC = (
        "IX353",
        "a measure bound to contributed sources only: nothing public for them to supersede",
        ERROR,
    )
    CONTRIBUTED_USE_NOT_CONSENTED = (
        "IX354",
        "contributed data read for a use its consent does not give",
        ERROR,
    )
    CONSENT_BREACHED = (
        "IX355",
        "contributed data would reach an audience outside its consent",
        ERROR,
    )
    CONTRIBUTIONS_OVERLAP = (
        "IX356",
        "two contributed bindings of a measure by one council cover one year",
        ERROR,
    )

    # Bindings
    OVERLAPPING_BINDINGS = "IX401", "two bindings of a measure cover one year", ERROR
    UNDECLARED_ITEM = "IX402", "a binding's item is not declared in its source", ERROR
    BINDING_RUNS_BACKWARDS = "IX403", "a binding's from is later than its to", ERROR
    LATEST_WITHOUT_MAX_AGE = "IX404", "align latest without a positive max_age", ERROR
    EXACT_ON_OTHER_PERIODS = (
        "IX405",
        "align exact on a source whose periods are not financial years",
        ERROR,
    )
    # Looking published results up (`indexc show`, `indexc export`)
    NOTHING_PUBLISHED = (
        "IX406",
        "no published results to read: no database, or the index was not run",
        ERROR,
    )
    UNKNOWN_AREA = "IX407", "an area that no published index holds, by code or name", ERROR

    # The report (`indexc report`)
    REPORT_SOURCE_UNKNOWN = (
        "IX408",
        "a report's --snapshot or --audience names none the project has",
        ERROR,
    )
    PDF_NOT_PRINTED = (
        "IX409",
        "the report's PDF cannot be printed (no Chromium, or it failed)",
        ERROR,
    )

    # Bindings side by side: precedence and reconciliation
    PRECEDENCE_TIED = (
        "IX410",
        "overlapping bindings of a measure without distinct precedences",
        ERROR,
    )
    PRECEDENCE_WITHOUT_OVERLAP = (
        "IX411",
        "a binding declares a precedence but overlaps no other binding",
        WARNING,
    )
    PRECEDENCE_ACROSS_CODES = (
        "IX412",
        "overlapping bindings on different codes in an aligned or unrestated measure",
        ERROR,
    )
    RECONCILE_WITHOUT_PREFERRED = (
        "IX413",
        "a binding declares reconcile but no overlapping binding is preferred over it",
        ERROR,
    )
    # Pivoted sources (one column per period)
    PIVOTED_FILE_NOT_CSV = "IX415", "a pivoted source's file is not a plain CSV file", ERROR

    # Targets, data files and output
    NO_TARGET_FILE = "IX501", "no target file, or one of another name", ERROR
    SOURCE_WITHOUT_RELATION = "IX502", "a source has no relation in the target", ERROR
    DATA_FILE_NOT_FOUND = "IX503", "a relation's file does not exist", ERROR
    CSV_HEADER_MISMATCH = "IX504", "a declared column is not in the CSV, or it is not UTF-8", ERROR
    OUTPUT_DIRECTORY_REFUSED = "IX505", "the output directory is not an earlier build", ERROR
    MALFORMED_CSV_RECORD = "IX506", "a CSV record DuckDB would refuse", ERROR
    MISSING_MARKERS = (
        "IX507",
        "a source's missing markers are not distinct non-numeric texts",
        ERROR,
    )
    CONFIDENCE_LIMITS_UNPAIRED = (
        "IX508",
        "a long source declares lci without uci, or uci alone",
        ERROR,
    )
    CONFIDENCE_LIMIT_COLUMN = "IX509", "a confidence-limit column is another role's column", ERROR

    # Geography
    LINEAGE_CODE_NOT_IN_FORCE = "IX601", "a lineage event and the register disagree", ERROR
    CODE_CHANGED_TWICE = "IX602", "one code changed by two events on one date", ERROR
    SUCCESSOR_ALREADY_IN_USE = "IX603", "a successor code already in force", ERROR
    LINEAGE_SHARES = "IX604", "shares or apportion of a lineage event", ERROR
    GEOGRAPHY_LEVEL = "IX605", "a source's geography level missing or mixed", ERROR
    NON_ADDITIVE_RESTATED = "IX606", "additivity: none on reorganised codes", ERROR
    MIXED_APPORTION_BASES = "IX607", "one successor apportioned by different measures", ERROR
    NOT_A_PROPOSED_EVENT = "IX608", "not a proposed lineage event", ERROR
    BACKWARD_RESTATEMENT = "IX609", "restating backward needs apportion", ERROR
    CODE_WITHOUT_SUCCESSOR = "IX610", "a code with no event saying what it became", ERROR
    EVENT_NOT_ON_1_APRIL = "IX611", "a lineage event not effective on 1 April", WARNING
    LEVEL_DOES_NOT_TILE = "IX612", "a level does not tile the country once", ERROR
    ZERO_SHARE = "IX613", "a literal share of 0", WARNING
    TRANSFER_FROM_WRONG_GIVER = "IX614", "a transfer of a district its giver did not hold", ERROR
    UNNAMED_AREA_TYPE = "IX615", "an area type no level or universe names", ERROR
    AGGREGATE_NOT_ADDITIVE = "IX616", "aggregate on a measure of additivity none", ERROR
    AGGREGATE_WEIGHT_LEVEL = "IX617", "an aggregated mean weighted by another level", ERROR
    AGGREGATE_NOT_ABOVE = "IX618", "aggregate.to is not a level above the measure's", ERROR
    AGGREGATE_ORPHAN = "IX619", "an area its aggregate cannot carry up a level", ERROR
    BASIS_APPORTION_FORBIDDEN = (
        "IX620",
        "a lineage basis measure whose apportioning is forbidden",
        ERROR,
    )
    APPORTION_DEFAULT_UNUSED = (
        "IX621",
        "an apportion default on a level that restates nothing",
        ERROR,
    )
    APPORTION_NOT_RESTATED = "IX622", "apportion on a measure that is never restated", WARNING
    TERRITORY_OUTSIDE_LEVEL = (
        "IX630",
        "territory given to an area outside a level its giver is in",
        ERROR,
    )

    # Runs
    ENGINE_REJECTED_STATEMENT = "IX701", "the engine rejected a statement", ERROR
    DATA_CHECK_FAILED = "IX702", "a data check returned rows", ERROR
    PERIOD_NOT_SCORED = "IX703", "a period that is not a financial year or has no scores", ERROR
    DATABASE_UNREACHABLE = "IX704", "the database cannot be opened or reached", ERROR
    RESTATED_VALUES_UNKNOWN = "IX705", "restated values left unknown", WARNING
    OUTSIDE_VALID_RANGE = "IX706", "published values outside the valid range", WARNING
    AUDIT_FOUND_ROWS = "IX707", "an audit found rows", EITHER, "the audit's `severity`"
    PUBLISHING_FAILED = "IX708", "a publishing statement failed", ERROR
    ITEM_NOT_FOUND = (
        "IX709",
        "a binding finds no value of its item",
        EITHER,
        "an error when something published reads the measure (a metric, index, scenario, "
        "audit, `weighted_by` or `apportion.by`), a warning otherwise",
    )
    VALUE_OUT_OF_RANGE = "IX710", "a value outside its measure's range, or not finite", ERROR
    METRIC_NOT_FINITE = "IX711", "a metric value not finite from finite inputs", ERROR
    METRIC_UNDEFINED = "IX712", "metric values left undefined", WARNING
    NOT_PUBLISHED_OUTSIDE_BINDING = "IX713", "not_published outside the binding's periods", ERROR
    NOTHING_TO_REPORT = "IX716", "an index with no published results to report", ERROR
    VALUE_NOT_A_NUMBER = "IX717", "a value cell neither a number nor a missing marker", ERROR
    VALUE_OUTSIDE_LIMITS = "IX718", "a value outside its own confidence limits", ERROR
    UNKNOWN_AUDIENCE = "IX719", "an audience asked for that the specs do not declare", ERROR

    # What-ifs
    INVALID_WHAT_IF_NAME = "IX720", "a what-if name that is not a plain identifier", ERROR
    WHAT_IF_NOT_FROZEN = "IX721", "a what-if published as live is not frozen", ERROR
    WHAT_IF_PUBLISHED_AS_LIVE = "IX722", "a what-if was published as the live result", WARNING

    # Smell tests
    GROSS_OUTLIER = "IX730", "a gross outlier the spec does not accept", ERROR
    OUTLIER = "IX731", "values far from their peers", WARNING
    ACCEPTED_VALUE_NOT_FLAGGED = "IX732", "an accept entry that matches no flagged value", WARNING
    SMELL_TEST_CONFLICT = "IX733", "a smell test off beside entries it ignores, or twice", ERROR

    # Empty results
    UNIVERSE_MATCHES_NO_AREA = "IX740", "a universe whose types match no area", ERROR
    NO_SCORES_TO_PUBLISH = "IX741", "an index with no scores in the period it publishes", ERROR
    AGGREGATED_MEMBERS_MISSING = (
        "IX742",
        "aggregated values left unknown: a member has none",
        WARNING,
    )
    AGGREGATED_WEIGHT_MISSING = (
        "IX743",
        "aggregated values left unknown: a weight is missing",
        WARNING,
    )
    NO_VALUE_IN_PUBLISHED_PERIOD = (
        "IX744",
        "a lens, metric or measure with no value for any area of the universe in the period "
        "an index publishes",
        ERROR,
    )

    # Contributed data at run time
    CONTRIBUTION_OF_OTHER_AREAS = (
        "IX745",
        "a contributed source holds rows of councils other than its contributor",
        ERROR,
    )

    # Bindings side by side at run time
    FEEDS_DISAGREE = (
        "IX746",
        "overlapping bindings give values differing beyond their tolerance",
        WARNING,
    )
    FEEDS_COVER_DIFFERENT_AREAS = (
        "IX747",
        "overlapping bindings: one has areas the other lacks in their common periods",
        WARNING,
    )

    # Pivoted sources at run time
    PIVOTED_HEADER_UNREADABLE = (
        "IX749",
        "a pivoted source without a header row, or with a heading that is not a period",
        ERROR,
    )
    # Apportionment policy at run time
    COLD_START = "IX750", "no history before a reorganisation: apportioning is forbidden", NOTE

    # Snapshots, diff and impact
    SNAPSHOT_NOT_TAKEN = "IX801", "the snapshot was not taken", ERROR
    BASE_REVISION_UNREADABLE = "IX901", "the base revision cannot be read or compiled", ERROR
    STRUCTURE_OF_ANOTHER_SOURCE = "IX902", "the structure file is of another source", ERROR
