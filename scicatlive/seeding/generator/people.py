"""People and proposals: laboratories, users and staff, proposals with proteins and sessions."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

from scicatlive.domain import model as m
from scicatlive.domain.keys import stable_uuid
from scicatlive.seeding.generator.shipments import shippings
from scicatlive.seeding.generator.state import GeneratorState, SessionPlan, ascii_letters
from scicatlive.seeding.providers.proteins import ProteinSpec

SHIFT = timedelta(hours=8)
TITLE_TEMPLATES = (
    "Structure of {name}",
    "Structural basis of {name} activity",
    "Ligand complexes of {name}",
    "Fragment screening against {name}",
    "Mechanism of {name} inhibition",
    "High-resolution studies of {name}",
)
LABORATORY_NAMES = (
    "University of {city}",
    "{city} Institute of Structural Biology",
    "{city} Biocentre",
    "Centre for Protein Science {city}",
)


def laboratory(g: GeneratorState) -> m.Laboratory:
    fake = g.people_fakers[g.rng.choice(g.recipe.facility.locales)]
    city = fake.city()
    kind = g.rng.choice(LABORATORY_NAMES)
    return m.Laboratory(
        name=kind.format(city=city)[:45], city=city[:45], country=fake.current_country()[:45]
    )


def person(g: GeneratorState, lab: m.Laboratory, used_logins: set[str]) -> m.Person:
    fake = g.people_fakers[g.rng.choice(g.recipe.facility.locales)]
    given, family = fake.first_name(), fake.last_name()
    base = ascii_letters(f"{given[0]}{family}").lower()[:12] or "user"
    login, suffix = base, 1
    while login in used_logins:
        suffix += 1
        login = f"{base}{suffix}"
    used_logins.add(login)
    domain = ascii_letters(lab.city).lower()[:20] or "lab"
    return m.Person(
        login=login,
        givenName=given,
        familyName=family,
        emailAddress=f"{login}@{domain}.example.org",
        Laboratory=lab,
        externalId=str(stable_uuid(g.site, "person", login)),
    )


def proposal(g: GeneratorState, number: int, users: list[m.Person], staff: list[m.Person]) -> m.Proposal:
    recipe = g.recipe
    code = recipe.facility.proposal_code
    proposal_number = f"{recipe.start_date.year}{number:04d}"
    name = f"{code}{proposal_number}"
    size = g.rng.randint(
        recipe.people.members_per_proposal.min, recipe.people.members_per_proposal.max
    )
    members = g.rng.sample(users, size)
    studied = proteins(g, name)
    plans = [
        session_plan(g, visit, start, members, staff)
        for visit, start in enumerate(session_starts(g), start=1)
    ]
    shipped = [shipping for plan in plans for shipping in shippings(g, name, plan, studied)]
    return m.Proposal(
        proposalCode=code,
        proposalNumber=proposal_number,
        title=g.rng.choice(TITLE_TEMPLATES).format(name=studied[0][0].name)[:200],
        personLogin=members[0].login,
        members=[member.login for member in members],
        sessions=[session_model(g, name, plan) for plan in plans],
        proteins=[protein for protein, _ in studied],
        shippings=shipped,
        externalId=str(stable_uuid(g.site, "proposal", name)),
    )


def proteins(g: GeneratorState, proposal_name: str) -> list[tuple[m.Protein, ProteinSpec]]:
    wanted = g.recipe.proposals
    count = g.rng.randint(wanted.proteins.min, wanted.proteins.max)
    found: list[tuple[m.Protein, ProteinSpec]] = []
    acronyms: set[str] = set()
    for _ in range(count):
        spec = g.fake.protein(known=g.rng.random() < wanted.known_protein_fraction)
        acronym, suffix = spec.acronym, 1
        while acronym in acronyms:
            suffix += 1
            acronym = f"{spec.acronym}-{suffix}"
        acronyms.add(acronym)
        protein = m.Protein(
            acronym=acronym,
            name=spec.name,
            sequence=spec.sequence,
            molecularMass=spec.molecular_mass,
            externalId=str(stable_uuid(g.site, "protein", f"{proposal_name}/{acronym}")),
        )
        found.append((protein, spec))
    return found


def session_starts(g: GeneratorState) -> list[datetime]:
    wanted = g.recipe.proposals.sessions
    count = g.rng.randint(wanted.min, wanted.max)
    days = sorted(g.rng.sample(range(g.recipe.period_days), min(count, g.recipe.period_days)))
    return [
        datetime.combine(g.recipe.start_date + timedelta(days=day), time(8, 0)) for day in days
    ]


def session_plan(
    g: GeneratorState, visit: int, start: datetime, members: list[m.Person], staff: list[m.Person]
) -> SessionPlan:
    contact = g.rng.choice(staff)
    team = members[: g.rng.randint(1, len(members))]
    persons = [m.SessionPerson(login=contact.login, role="Local Contact", remote=False)]
    persons += [
        m.SessionPerson(
            login=member.login,
            role="Team Leader" if index == 0 else "Co-Investigator",
            remote=g.rng.random() < 0.6,
        )
        for index, member in enumerate(team)
    ]
    return SessionPlan(
        visit_number=visit,
        beamline=g.rng.choice(g.beamlines),
        start=start,
        operator=contact.full_name,
        persons=persons,
        clock=start + timedelta(minutes=30),
    )


def session_model(g: GeneratorState, proposal_name: str, plan: SessionPlan) -> m.BLSession:
    busy = plan.clock + timedelta(minutes=30) - plan.start
    shifts = max(3, math.ceil(busy / SHIFT))
    return m.BLSession(
        visit_number=plan.visit_number,
        beamLineName=plan.beamline.name,
        startDate=plan.start,
        endDate=plan.start + shifts * SHIFT - timedelta(seconds=1),
        nbShifts=shifts,
        beamLineOperator=plan.operator,
        persons=plan.persons,
        externalId=str(stable_uuid(g.site, "session", f"{proposal_name}-{plan.visit_number}")),
    )
