"""Turn a recipe into a facility graph, deterministically.

All randomness comes from one ``random.Random(seed)`` and Faker instances
seeded from it; dates count from the recipe's ``start_date``. Nothing reads
the clock or the global random state, so a recipe and seed always give the
same graph, byte for byte.

The generator walks the facility the way it happens: people and proposals,
sessions on beamlines, shipments that arrive for a session, pucks loaded into
the beamline's sample changer, samples mounted one after another (a clock per
session), collections, and the auto-processing that follows each successful
collection.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from random import Random

from faker import Faker

from scicatlive.seeding import model as m
from scicatlive.seeding.derive import detector_model
from scicatlive.seeding.keys import stable_uuid
from scicatlive.seeding.providers import PROVIDERS
from scicatlive.seeding.providers.beamlines import (
    DETECTORS,
    PUCK_CAPACITY,
    SAMPLE_CHANGERS,
    BeamlineSpec,
    SampleChanger,
)
from scicatlive.seeding.providers.collections import (
    SELENIUM_K_EDGE_KEV,
    collection_geometry,
    file_template,
    image_files,
    interrupted,
    rotation_sweep,
)
from scicatlive.seeding.providers.crystals import UnitCell, jittered_cell, space_group
from scicatlive.seeding.providers.proteins import ProteinSpec
from scicatlive.seeding.providers.statistics import ShellStatistics, scaling_statistics
from scicatlive.seeding.recipe import Recipe

SHIFT = timedelta(hours=8)
RUN_SUCCEEDED = "Data collection successful"
RUN_FAILED = "Data collection failed!"
COURIERS = ("DHL", "FedEx", "UPS", "World Courier", "TNT")
LOOP_TYPES = ("Nylon", "Litho Loop", "Micromount")
PROCESSING_FAILURES = (
    "Indexing failed: no consistent lattice found",
    "Integration failed: too few strong spots",
    "Scaling failed: completeness below 50 %",
    "No solution in the expected space group",
)
COMMAND_LINES = {
    "xia2 dials": "xia2 pipeline=dials image={image}",
    "xia2 3dii": "xia2 pipeline=3dii image={image}",
    "fast_dp": "fast_dp {image}",
    "autoPROC": "process -h5 {image} -d {output}",
    "EDNA_proc": "EDNA_proc --data_collection_id {run} --image {image}",
    "grenades_fastproc": "grenades_fastproc {image}",
}
TOTAL_ROTATION = {"OSC": (90.0, 180.0, 180.0, 360.0), "SAD": (360.0,), "Helical": (180.0, 360.0)}
TITLE_TEMPLATES = (
    "Structure of {name}",
    "Structural basis of {name} activity",
    "Ligand complexes of {name}",
    "Fragment screening against {name}",
    "Mechanism of {name} inhibition",
    "High-resolution studies of {name}",
)


def generate(recipe: Recipe) -> m.FacilityGraph:
    """The facility a recipe describes; the same recipe always gives the same graph."""
    return _Generator(recipe).facility()


@dataclass
class _SessionPlan:
    """A session while it is being filled: its clock advances with every mount and sweep."""

    visit_number: int
    beamline: BeamlineSpec
    start: datetime
    operator: str
    persons: list[m.SessionPerson]
    clock: datetime
    puck_slots_used: int = 0


@dataclass
class _Counters:
    dewars: int = 0
    containers: int = 0
    pins: int = 0


class _Generator:
    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self.site = recipe.facility.site
        # Barcodes are unique site-wide; a tag from the seed lets several
        # recipes share one stack without their dewars and pucks colliding.
        self.barcode_prefix = f"{self.site}-{recipe.seed % 0xFFFF:04X}-"
        self.rng = Random(recipe.seed)
        self.fake = self._faker(recipe.facility.locales[0], recipe.seed)
        self.people_fakers = {
            locale: self._faker(locale, recipe.seed + index)
            for index, locale in enumerate(recipe.facility.locales)
        }
        self.counters = _Counters()
        self.beamlines = [self._beamline(index) for index in range(len(recipe.beamlines))]

    @staticmethod
    def _faker(locale: str, seed: int) -> Faker:
        fake = Faker(locale)
        for provider in PROVIDERS:
            fake.add_provider(provider)
        fake.seed_instance(seed)
        return fake

    # -- facility and people -------------------------------------------------------------

    def facility(self) -> m.FacilityGraph:
        people = self.recipe.people
        laboratories = [self._laboratory() for _ in range(max(1, people.users // 3))]
        used_logins: set[str] = set()
        staff = [
            self._person(self.rng.choice(laboratories), used_logins) for _ in range(people.staff)
        ]
        users = [
            self._person(self.rng.choice(laboratories), used_logins) for _ in range(people.users)
        ]
        numbers = self.rng.sample(range(1, 10_000), self.recipe.proposals.count)
        proposals = [self._proposal(number, users, staff) for number in sorted(numbers)]
        return m.FacilityGraph(
            recipe=self.recipe.name or "recipe",
            seed=self.recipe.seed,
            facility=m.Facility(
                name=self.recipe.facility.name,
                site=self.site,
                dataRoot=self.recipe.facility.data_root,
            ),
            staffGroup=people.staff_group,
            beamlines=[self._beamline_model(spec) for spec in self.beamlines],
            persons=[*staff, *users],
            staff=[person.login for person in staff],
            proposals=proposals,
        )

    def _beamline(self, index: int) -> BeamlineSpec:
        wanted = self.recipe.beamlines[index]
        drawn = self.fake.mx_beamline(wanted.name)
        return BeamlineSpec(
            name=wanted.name,
            detector=DETECTORS[wanted.detector] if wanted.detector else drawn.detector,
            sample_changer=(
                SAMPLE_CHANGERS[wanted.sample_changer]
                if wanted.sample_changer
                else self._changer_for_pucks()
            ),
            energy_min_kev=wanted.energy_kev.min if wanted.energy_kev else drawn.energy_min_kev,
            energy_max_kev=wanted.energy_kev.max if wanted.energy_kev else drawn.energy_max_kev,
        )

    def _changer_for_pucks(self) -> SampleChanger:
        offered = {kind for kind, weight in self.recipe.shipments.puck_types.items() if weight > 0}
        fitting = [
            name
            for name in sorted(SAMPLE_CHANGERS)
            if offered & set(SAMPLE_CHANGERS[name].puck_types)
        ]
        return SAMPLE_CHANGERS[self.rng.choice(fitting)]

    @staticmethod
    def _beamline_model(spec: BeamlineSpec) -> m.Beamline:
        detector = spec.detector
        return m.Beamline(
            beamLineName=spec.name,
            Detector=detector_model(detector),
            sampleChangerType=spec.sample_changer.name,
            sampleChangerCapacity=spec.sample_changer.puck_slots,
            energyMin=spec.energy_min_kev,
            energyMax=spec.energy_max_kev,
        )

    def _laboratory(self) -> m.Laboratory:
        fake = self.people_fakers[self.rng.choice(self.recipe.facility.locales)]
        city = fake.city()
        kind = self.rng.choice(("University of {city}", "{city} Institute of Structural Biology",
                                "{city} Biocentre", "Centre for Protein Science {city}"))  # fmt: skip
        return m.Laboratory(
            name=kind.format(city=city)[:45], city=city[:45], country=fake.current_country()[:45]
        )

    def _person(self, laboratory: m.Laboratory, used_logins: set[str]) -> m.Person:
        fake = self.people_fakers[self.rng.choice(self.recipe.facility.locales)]
        given, family = fake.first_name(), fake.last_name()
        base = _ascii(f"{given[0]}{family}").lower()[:12] or "user"
        login, suffix = base, 1
        while login in used_logins:
            suffix += 1
            login = f"{base}{suffix}"
        used_logins.add(login)
        domain = _ascii(laboratory.city).lower()[:20] or "lab"
        return m.Person(
            login=login,
            givenName=given,
            familyName=family,
            emailAddress=f"{login}@{domain}.example.org",
            Laboratory=laboratory,
            externalId=str(stable_uuid(self.site, "person", login)),
        )

    # -- proposals ------------------------------------------------------------------------

    def _proposal(self, number: int, users: list[m.Person], staff: list[m.Person]) -> m.Proposal:
        recipe = self.recipe
        code = recipe.facility.proposal_code
        proposal_number = f"{recipe.start_date.year}{number:04d}"
        name = f"{code}{proposal_number}"
        size = self.rng.randint(
            recipe.people.members_per_proposal.min, recipe.people.members_per_proposal.max
        )
        members = self.rng.sample(users, size)
        proteins = self._proteins(name)
        sessions = [
            self._session_plan(visit, start, members, staff)
            for visit, start in enumerate(self._session_starts(), start=1)
        ]
        shippings = [
            shipping
            for session in sessions
            for shipping in self._shippings(name, session, proteins)
        ]
        return m.Proposal(
            proposalCode=code,
            proposalNumber=proposal_number,
            title=self.rng.choice(TITLE_TEMPLATES).format(name=proteins[0][0].name)[:200],
            personLogin=members[0].login,
            members=[person.login for person in members],
            sessions=[self._session_model(name, plan) for plan in sessions],
            proteins=[protein for protein, _ in proteins],
            shippings=shippings,
            externalId=str(stable_uuid(self.site, "proposal", name)),
        )

    def _proteins(self, proposal: str) -> list[tuple[m.Protein, ProteinSpec]]:
        wanted = self.recipe.proposals
        count = self.rng.randint(wanted.proteins.min, wanted.proteins.max)
        proteins: list[tuple[m.Protein, ProteinSpec]] = []
        acronyms: set[str] = set()
        for _ in range(count):
            spec = self.fake.protein(known=self.rng.random() < wanted.known_protein_fraction)
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
                externalId=str(stable_uuid(self.site, "protein", f"{proposal}/{acronym}")),
            )
            proteins.append((protein, spec))
        return proteins

    def _session_starts(self) -> list[datetime]:
        wanted = self.recipe.proposals.sessions
        count = self.rng.randint(wanted.min, wanted.max)
        days = sorted(
            self.rng.sample(range(self.recipe.period_days), min(count, self.recipe.period_days))
        )
        return [
            datetime.combine(self.recipe.start_date + timedelta(days=day), time(8, 0))
            for day in days
        ]

    def _session_plan(
        self, visit: int, start: datetime, members: list[m.Person], staff: list[m.Person]
    ) -> _SessionPlan:
        contact = self.rng.choice(staff)
        team = members[: self.rng.randint(1, len(members))]
        persons = [m.SessionPerson(login=contact.login, role="Local Contact", remote=False)]
        persons += [
            m.SessionPerson(
                login=person.login,
                role="Team Leader" if index == 0 else "Co-Investigator",
                remote=self.rng.random() < 0.6,
            )
            for index, person in enumerate(team)
        ]
        return _SessionPlan(
            visit_number=visit,
            beamline=self.rng.choice(self.beamlines),
            start=start,
            operator=contact.full_name,
            persons=persons,
            clock=start + timedelta(minutes=30),
        )

    def _session_model(self, proposal: str, plan: _SessionPlan) -> m.BLSession:
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
            externalId=str(stable_uuid(self.site, "session", f"{proposal}-{plan.visit_number}")),
        )

    # -- shipments, dewars, pucks -----------------------------------------------------------

    def _shippings(
        self, proposal: str, session: _SessionPlan, proteins: list[tuple[m.Protein, ProteinSpec]]
    ) -> list[m.Shipping]:
        wanted = self.recipe.shipments.per_session
        shippings = []
        for index in range(1, self.rng.randint(wanted.min, wanted.max) + 1):
            shipped = session.start.date() - timedelta(days=self.rng.randint(4, 12))
            name = f"{proposal}-{session.visit_number}_Shipment{index}"
            shippings.append(
                m.Shipping(
                    shippingName=name,
                    shippingStatus="sent to User",
                    deliveryAgent_agentName=self.rng.choice(COURIERS),
                    deliveryAgent_shippingDate=shipped,
                    deliveryAgent_deliveryDate=shipped + timedelta(days=self.rng.randint(1, 3)),
                    sessions=[session.visit_number],
                    dewars=self._dewars(proposal, session, proteins, name),
                )
            )
        return shippings

    def _dewars(
        self,
        proposal: str,
        session: _SessionPlan,
        proteins: list[tuple[m.Protein, ProteinSpec]],
        shipment: str,
    ) -> list[m.Dewar]:
        wanted = self.recipe.shipments.dewars_per_shipment
        dewars = []
        for index in range(1, self.rng.randint(wanted.min, wanted.max) + 1):
            self.counters.dewars += 1
            dewars.append(
                m.Dewar(
                    code=f"{shipment.split('_')[0]}_Dewar{index}"[:45],
                    barCode=f"{self.barcode_prefix}{self.counters.dewars:06d}",
                    dewarStatus="sent to User",
                    storageLocation="STORES-OUT",
                    firstExperiment=session.visit_number,
                    containers=self._containers(proposal, session, proteins),
                )
            )
        return dewars

    def _containers(
        self, proposal: str, session: _SessionPlan, proteins: list[tuple[m.Protein, ProteinSpec]]
    ) -> list[m.Container]:
        wanted = self.recipe.shipments.pucks_per_dewar
        return [
            self._container(proposal, session, proteins)
            for _ in range(self.rng.randint(wanted.min, wanted.max))
        ]

    def _puck_type(self, session: _SessionPlan) -> str:
        accepted = session.beamline.sample_changer.puck_types
        weights = {
            k: w for k, w in self.recipe.shipments.puck_types.items() if k in accepted and w > 0
        }
        if not weights:  # the recipe check guarantees a fit for named changers; random ones too
            weights = {accepted[0]: 1.0}
        kinds = list(weights)
        return self.rng.choices(kinds, weights=[weights[k] for k in kinds])[0]

    def _container(
        self, proposal: str, session: _SessionPlan, proteins: list[tuple[m.Protein, ProteinSpec]]
    ) -> m.Container:
        self.counters.containers += 1
        kind = self._puck_type(session)
        capacity = PUCK_CAPACITY[kind]
        barcode = f"{self.barcode_prefix}P{self.counters.containers:05d}"
        loaded = session.puck_slots_used < session.beamline.sample_changer.puck_slots
        slot = None
        if loaded:
            session.puck_slots_used += 1
            slot = session.puck_slots_used
        positions = self._occupied_positions(capacity)
        samples = [
            self._sample(proposal, session, proteins, barcode, position, slot)
            for position in positions
        ]
        return m.Container(
            code=f"{kind[:4]}-{self.counters.containers:05d}",
            barcode=barcode,
            containerType=kind,  # type: ignore[arg-type]
            capacity=capacity,
            sampleChangerLocation=str(slot) if slot else None,
            beamlineLocation=session.beamline.name if slot else None,
            containerStatus="processing" if slot else "at facility",
            session=session.visit_number if slot else None,
            samples=samples,
        )

    def _occupied_positions(self, capacity: int) -> list[int]:
        """Each position holds a pin with the recipe's fill ratio; nobody ships an empty puck."""
        fill = self.recipe.shipments.fill_ratio
        positions = [position for position in range(1, capacity + 1) if self.rng.random() < fill]
        return positions or [self.rng.randint(1, capacity)]

    # -- samples and collections -----------------------------------------------------------

    def _sample(
        self,
        proposal: str,
        session: _SessionPlan,
        proteins: list[tuple[m.Protein, ProteinSpec]],
        container_barcode: str,
        position: int,
        slot: int | None,
    ) -> m.BLSample:
        protein, spec = self.rng.choice(proteins)
        self.counters.pins += 1
        name = f"{protein.acronym}-{self.counters.pins:05d}"
        form = spec.crystal_form
        cell = jittered_cell(self.rng, form.cell, form.space_group)
        diffraction_limit = round(form.diffraction_limit * self.rng.uniform(1.0, 1.6), 2)
        experiment = self._experiment_type()
        code = f"{self.site}-PIN-{self.counters.pins:06d}"
        crystal = m.Crystal(
            protein=protein.acronym,
            name=f"{name}-xtal",
            spaceGroup=form.space_group.short_name,
            cell_a=cell.a, cell_b=cell.b, cell_c=cell.c,
            cell_alpha=cell.alpha, cell_beta=cell.beta, cell_gamma=cell.gamma,
            size_X=round(self.rng.uniform(20, 300), 0),
            size_Y=round(self.rng.uniform(20, 200), 0),
            size_Z=round(self.rng.uniform(10, 100), 0),
        )  # fmt: skip
        groups = []
        if slot is not None:
            sample_context = _SampleContext(
                proposal, session, protein.acronym, name, code, container_barcode, position, slot,
                form.space_group.short_name, diffraction_limit, experiment,
            )  # fmt: skip
            session.clock += _seconds(self.rng.uniform(60, 180))  # robot mounts and centres
            wanted = self.recipe.collections.per_sample
            groups = [
                self._group(sample_context, run, crystal)
                for run in range(1, self.rng.randint(wanted.min, wanted.max) + 1)
            ]
        return m.BLSample(
            name=name,
            code=code,
            location=position,
            loopType=self.rng.choice(LOOP_TYPES),
            holderLength=22.0,
            Crystal=crystal,
            DiffractionPlan=m.DiffractionPlan(
                experimentKind="SAD" if experiment == "SAD" else "OSC",
                requiredResolution=round(diffraction_limit * 1.1, 1),
                requiredCompleteness=99.0,
                requiredMultiplicity=4.0 if experiment != "SAD" else 8.0,
                anomalousScatterer="Se" if experiment == "SAD" else None,
            ),
            dataCollectionGroups=groups,
        )

    def _experiment_type(self) -> str:
        weights = self.recipe.collections.experiment_types
        kinds = list(weights)
        return self.rng.choices(kinds, weights=[weights[k] for k in kinds])[0]

    def _energy(self, beamline: BeamlineSpec, experiment: str) -> float:
        low, high = beamline.energy_min_kev, beamline.energy_max_kev
        if experiment == "SAD" and low <= SELENIUM_K_EDGE_KEV <= high:
            return SELENIUM_K_EDGE_KEV
        return round(self.rng.uniform(max(low, min(10.0, high)), min(high, max(14.0, low))), 3)

    def _group(self, sample: _SampleContext, run: int, crystal: m.Crystal) -> m.DataCollectionGroup:
        collection = self._collection(sample, run, crystal)
        return m.DataCollectionGroup(
            session=sample.session.visit_number,
            experimentType=sample.experiment,  # type: ignore[arg-type]
            startTime=collection.startTime,
            endTime=collection.endTime,
            actualSampleBarcode=sample.pin_code,
            actualSampleSlotInContainer=sample.position,
            actualContainerBarcode=sample.container_barcode,
            actualContainerSlotInSC=sample.slot,
            dataCollections=[collection],
        )

    def _collection(self, sample: _SampleContext, run: int, crystal: m.Crystal) -> m.DataCollection:
        session, beamline = sample.session, sample.session.beamline
        detector = beamline.detector
        geometry = collection_geometry(
            self.rng, detector, self._energy(beamline, sample.experiment), sample.diffraction_limit
        )
        sweep = rotation_sweep(
            self.rng, detector, self.rng.choice(TOTAL_ROTATION[sample.experiment])
        )
        failed = self.rng.random() < self.recipe.collections.failure_rate
        if failed:
            sweep = interrupted(sweep, self.rng.uniform(0.05, 0.9))
        start = session.clock
        end = start + _seconds(sweep.duration_s + self.rng.uniform(2, 10))
        session.clock = end + _seconds(self.rng.uniform(20, 90))
        directory = self._image_directory(sample, start)
        files = image_files(self.rng, detector, sample.name, run, sweep)
        transmission = round(self.rng.uniform(5.0, 100.0), 1)
        beam_x, beam_y = self.rng.choice(((0.05, 0.05), (0.02, 0.02), (0.1, 0.05), (0.03, 0.02)))
        collection_without_processing = m.DataCollection(
            imageDirectory=directory,
            imagePrefix=sample.name,
            dataCollectionNumber=run,
            startTime=start,
            endTime=end,
            runStatus=RUN_FAILED if failed else RUN_SUCCEEDED,
            axisStart=sweep.axis_start,
            axisEnd=sweep.axis_end,
            axisRange=sweep.oscillation,
            numberOfImages=sweep.number_of_images,
            exposureTime=sweep.exposure_time,
            imageSuffix=detector.image_format,
            fileTemplate=file_template(sample.name, run, detector.image_format),
            imageContainerSubPath="/entry/data/data" if detector.image_format == "h5" else None,
            wavelength=geometry.wavelength,
            resolution=geometry.resolution,
            resolutionAtCorner=geometry.resolution_at_corner,
            detectorDistance=geometry.detector_distance,
            xBeam=geometry.x_beam,
            yBeam=geometry.y_beam,
            transmission=transmission,
            flux=float(f"{self.rng.uniform(1e12, 5e12) * transmission / 100:.3e}"),
            beamSizeAtSampleX=beam_x,
            beamSizeAtSampleY=beam_y,
            beamShape="ellipse",
            omegaStart=sweep.axis_start,
            slitGapHorizontal=round(beam_x * 1.2, 4),
            slitGapVertical=round(beam_y * 1.2, 4),
            undulatorGap1=round(self.rng.uniform(5.0, 20.0), 3),
            synchrotronMode="User",
            files=[
                m.ImageFile(
                    fileName=f.name, fileSize=f.size, writtenAt=start + _seconds(f.written_after_s)
                )
                for f in files
            ],
            published=self.rng.random() < self.recipe.catalogue.published_fraction,
            autoProcPrograms=[],
        )
        if failed:
            return collection_without_processing
        programs = self._programs(sample, collection_without_processing, crystal)
        return collection_without_processing.model_copy(update={"autoProcPrograms": programs})

    def _image_directory(self, sample: _SampleContext, start: datetime) -> str:
        root = self.recipe.facility.data_root.rstrip("/")
        beamline = sample.session.beamline.name.lower()
        number = sample.proposal.removeprefix(self.recipe.facility.proposal_code)
        return f"{root}/{beamline}/{number}/{start:%Y%m%d}/raw/{sample.acronym}/{sample.name}/"

    # -- auto-processing -------------------------------------------------------------------

    def _programs(
        self, sample: _SampleContext, collection: m.DataCollection, crystal: m.Crystal
    ) -> list[m.AutoProcProgram]:
        wanted = self.recipe.processing.per_collection
        count = self.rng.randint(wanted.min, wanted.max)
        chosen = self.rng.sample(self.recipe.processing.programs, count)
        return [self._program(sample, collection, crystal, program) for program in chosen]

    def _program(
        self, sample: _SampleContext, collection: m.DataCollection, crystal: m.Crystal, program: str
    ) -> m.AutoProcProgram:
        started = collection.endTime + _seconds(self.rng.uniform(30, 300))
        ended = started + _seconds(self.rng.uniform(180, 1800))
        slug = _slug(program)
        output = (
            collection.imageDirectory.replace("/raw/", "/process/", 1)
            + f"{sample.name}_{collection.dataCollectionNumber}/{slug}/"
        )
        image = collection.imageDirectory + collection.fileTemplate
        command = COMMAND_LINES.get(program, program + " {image}").format(
            image=image, output=output, run=collection.dataCollectionNumber
        )[:255]
        failed = self.rng.random() < self.recipe.processing.failure_rate
        integration = m.AutoProcIntegration(
            startImageNumber=1, endImageNumber=collection.numberOfImages
        )
        if failed:
            message = self.rng.choice(PROCESSING_FAILURES)
            log = self._log_attachment(output, slug, program, [f"ERROR: {message}"])
            return m.AutoProcProgram(
                processingPrograms=program, processingCommandLine=command, processingStatus="FAILED",
                processingMessage=message, processingStartTime=started, processingEndTime=ended,
                AutoProc=None, AutoProcIntegration=integration, AutoProcScalingStatistics=[],
                attachments=[log],
            )  # fmt: skip
        group = space_group(crystal.spaceGroup)
        cell = jittered_cell(self.rng, _cell_of(crystal), group, spread=0.002)
        anomalous = sample.experiment == "SAD"
        high = max(
            collection.resolutionAtCorner, sample.diffraction_limit * self.rng.uniform(0.97, 1.08)
        )
        statistics = scaling_statistics(
            self.rng,
            group,
            cell,
            math.ceil(high * 100) / 100,
            collection.axisEnd - collection.axisStart,
            anomalous,
        )
        shells = [_shell_model(shell, anomalous) for shell in statistics.shells()]
        summary = _summary_lines(group.symbol, cell, statistics.shells())
        return m.AutoProcProgram(
            processingPrograms=program,
            processingCommandLine=command,
            processingStatus="SUCCESS",
            processingMessage="processing successful",
            processingStartTime=started,
            processingEndTime=ended,
            AutoProc=m.AutoProc(
                spaceGroup=group.symbol,
                refinedCell_a=cell.a,
                refinedCell_b=cell.b,
                refinedCell_c=cell.c,
                refinedCell_alpha=cell.alpha,
                refinedCell_beta=cell.beta,
                refinedCell_gamma=cell.gamma,
            ),
            AutoProcIntegration=integration.model_copy(
                update={
                    "refinedDetectorDistance": round(
                        collection.detectorDistance + self.rng.uniform(-0.5, 0.5), 2
                    ),
                    "refinedXBeam": round(collection.xBeam + self.rng.uniform(-0.05, 0.05), 3),
                    "refinedYBeam": round(collection.yBeam + self.rng.uniform(-0.05, 0.05), 3),
                    "cell_a": cell.a,
                    "cell_b": cell.b,
                    "cell_c": cell.c,
                    "cell_alpha": cell.alpha,
                    "cell_beta": cell.beta,
                    "cell_gamma": cell.gamma,
                    "anomalous": anomalous,
                }
            ),
            AutoProcScalingStatistics=shells,
            attachments=[
                self._log_attachment(output, slug, program, summary),
                m.AutoProcProgramAttachment(
                    fileType="Result",
                    fileName=f"{sample.name}_{collection.dataCollectionNumber}_free.mtz",
                    filePath=output,
                    fileSize=self.rng.randint(2_000_000, 60_000_000),
                ),
                m.AutoProcProgramAttachment(
                    fileType="Result",
                    fileName=f"{sample.name}_{collection.dataCollectionNumber}_unmerged.mtz",
                    filePath=output,
                    fileSize=self.rng.randint(20_000_000, 400_000_000),
                ),
            ],
        )

    def _log_attachment(
        self, output: str, slug: str, program: str, lines: list[str]
    ) -> m.AutoProcProgramAttachment:
        content = "\n".join([f"{program} processing log (summary)", *lines]) + "\n"
        return m.AutoProcProgramAttachment(
            fileType="Log",
            fileName=f"{slug}.log",
            filePath=output,
            fileSize=self.rng.randint(40_000, 2_000_000),
            content=content,
        )


@dataclass(frozen=True)
class _SampleContext:
    proposal: str
    session: _SessionPlan
    acronym: str
    name: str
    pin_code: str
    container_barcode: str
    position: int
    slot: int
    space_group: str
    diffraction_limit: float
    experiment: str


def _cell_of(crystal: m.Crystal) -> UnitCell:
    return UnitCell(
        crystal.cell_a,
        crystal.cell_b,
        crystal.cell_c,
        crystal.cell_alpha,
        crystal.cell_beta,
        crystal.cell_gamma,
    )


def _shell_model(shell: ShellStatistics, anomalous: bool) -> m.AutoProcScalingStatistics:
    return m.AutoProcScalingStatistics(
        scalingStatisticsType=shell.shell,  # type: ignore[arg-type]
        resolutionLimitLow=shell.resolution_limit_low,
        resolutionLimitHigh=shell.resolution_limit_high,
        rMerge=shell.r_merge,
        rMeasAllIPlusIMinus=shell.r_meas,
        rPimAllIPlusIMinus=shell.r_pim,
        meanIOverSigI=shell.mean_i_over_sig_i,
        completeness=shell.completeness,
        multiplicity=shell.multiplicity,
        anomalousCompleteness=shell.anomalous_completeness,
        anomalousMultiplicity=shell.anomalous_multiplicity,
        ccHalf=shell.cc_half,
        ccAno=shell.cc_anomalous,
        nTotalObservations=shell.n_total_observations,
        nTotalUniqueObservations=shell.n_unique_observations,
        anomalous=anomalous,
    )


def _summary_lines(symbol: str, cell: UnitCell, shells: tuple[ShellStatistics, ...]) -> list[str]:
    edges = f"{cell.a} {cell.b} {cell.c} {cell.alpha} {cell.beta} {cell.gamma}"
    lines = [
        f"Space group: {symbol}",
        f"Unit cell: {edges}",
        "",
        "shell        d_low  d_high  Rmerge  I/sig  CC1/2  compl",
    ]
    lines += [
        f"{s.shell:<12} {s.resolution_limit_low:6.2f} {s.resolution_limit_high:6.2f} "
        f"{s.r_merge:7.3f} {s.mean_i_over_sig_i:6.1f} {s.cc_half:6.3f} {s.completeness:6.1f}"
        for s in shells
    ]
    return lines


def _seconds(value: float) -> timedelta:
    """ISPyB's datetime columns keep whole seconds."""
    return timedelta(seconds=round(value))


def _slug(text: str) -> str:
    return "".join(char if char.isalnum() else "_" for char in text).strip("_")


def _ascii(text: str) -> str:
    """Letters and digits of ``text`` without accents: safe for logins and e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain if char.isalnum())
