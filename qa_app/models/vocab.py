"""The service's fixed vocabularies: roles, cohorts, service areas, grades.

Keys are stored in the database; labels are what people read. The roles and what each does in the
framework: docs/framework.md#roles.
"""

ROLES: dict[str, str] = {
    "team_manager": "Team manager",
    "advanced_practitioner": "Advanced practitioner",
    "senior_manager": "Senior or service manager",
    "iro": "Independent reviewing officer",
    "head_of_service": "Head of service",
    "dcs": "Director of Children's Services",
    "psw": "Principal social worker",
    "qa_admin": "QA lead or business support",
    "independent_auditor": "Independent auditor",
    "social_worker": "Social worker",
}

# Tier 2 (full audit) and tier 3 auditors, with the default monthly audit capacity of each.
TIER2_ROLES = ("team_manager", "advanced_practitioner", "senior_manager", "iro")
TIER3_ROLES = ("head_of_service", "dcs")
DEFAULT_CAPACITY: dict[str, int] = {
    "team_manager": 2,
    "advanced_practitioner": 6,
    "senior_manager": 2,
    "iro": 2,
    "head_of_service": 1,
    "dcs": 2,
}

# Roles whose scope is the whole council.
COUNCIL_WIDE_ROLES = frozenset({"dcs", "psw", "qa_admin"})

COHORTS: dict[str, str] = {
    "assessment": "Assessment",
    "cin": "Child in need",
    "cp": "Child protection",
    "cla": "Child in our care",
    "short_breaks": "Short breaks",
    "care_leaver": "Care leaver",
}
# One open case per child; the first cohort in this order wins
# (docs/formats.md#an-import-is-a-snapshot-at-an-as-of-date).
COHORT_PRECEDENCE = ("cla", "cp", "cin", "care_leaver", "assessment", "short_breaks")

SERVICES: dict[str, str] = {
    "front_door": "Front door and assessment",
    "child_in_need": "Child in need",
    "child_protection": "Child protection",
    "children_in_care": "Children in our care",
    "care_leavers": "Care leavers",
    "disabled_children": "Disabled children",
}

GRADES: dict[int, str] = {
    1: "Outstanding",
    2: "Good",
    3: "Requires improvement to be good",
    4: "Inadequate",
}

SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown or not stated"}
