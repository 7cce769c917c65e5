"""Proteins: names, acronyms, sequences, and the crystal form they grow in.

A few well-known test proteins carry their real crystal forms (the ones every
MX beamline collects on); the rest are invented from organism and enzyme-family
words, with a random Sohncke group and cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from faker.providers import BaseProvider

from scicatlive.seeding.providers.crystals import (
    SpaceGroup,
    UnitCell,
    constrained_cell,
    random_cell,
    random_space_group,
    space_group,
)

# Monoisotopic-free average residue masses (Da) of the 20 amino acids, and how
# often each occurs in natural proteins (UniProt); a chain adds one water.
RESIDUE_MASS_DA: dict[str, float] = {
    "A": 71.0788, "R": 156.1875, "N": 114.1038, "D": 115.0886, "C": 103.1388,
    "E": 129.1155, "Q": 128.1307, "G": 57.0519, "H": 137.1411, "I": 113.1594,
    "L": 113.1594, "K": 128.1741, "M": 131.1926, "F": 147.1766, "P": 97.1167,
    "S": 87.0782, "T": 101.1051, "W": 186.2132, "Y": 163.1760, "V": 99.1326,
}  # fmt: skip
RESIDUE_FREQUENCY: dict[str, float] = {
    "A": 8.25, "R": 5.53, "N": 4.06, "D": 5.45, "C": 1.37, "E": 6.75, "Q": 3.93, "G": 7.07,
    "H": 2.27, "I": 5.96, "L": 9.66, "K": 5.84, "M": 2.42, "F": 3.86, "P": 4.70, "S": 6.56,
    "T": 5.34, "W": 1.08, "Y": 2.92, "V": 6.87,
}  # fmt: skip
WATER_MASS_DA = 18.0153


def molecular_mass_kda(sequence: str) -> float:
    """Average mass of a polypeptide chain, in kDa (ISPyB's Protein.molecularMass unit)."""
    return (sum(RESIDUE_MASS_DA[residue] for residue in sequence) + WATER_MASS_DA) / 1000.0


@dataclass(frozen=True)
class CrystalForm:
    space_group: SpaceGroup
    cell: UnitCell
    diffraction_limit: float  # Å: how far the best crystals of this form diffract


@dataclass(frozen=True)
class ProteinSpec:
    name: str
    acronym: str
    sequence: str
    crystal_form: CrystalForm

    @property
    def molecular_mass(self) -> float:
        return round(molecular_mass_kda(self.sequence), 2)


@dataclass(frozen=True)
class _KnownProtein:
    name: str
    acronym: str
    group: str
    cell: tuple[float, float, float, float, float, float]
    length: int
    diffraction_limit: float
    sequence: str | None = (
        None  # known only for lysozyme; the others get a random chain of their length
    )


KNOWN_PROTEINS: tuple[_KnownProtein, ...] = (
    _KnownProtein(
        "Hen egg-white lysozyme",
        "HEWL",
        "P43212",
        (79.1, 79.1, 38.0, 90, 90, 90),
        129,
        1.2,
        "KVFGRCELAAAMKRHGLDNYRGYSLGNWVCAAKFESNFNTQATNRNTDGSTDYGILQINSRWWCNDGRTPGSRNLCNIPCSALLSS"
        "DITASVNCAKKIVSDGNGMNAWVAWRNRCKGTDVQAWIRGCRL",
    ),
    _KnownProtein("Thaumatin I", "THAU", "P41212", (58.0, 58.0, 151.0, 90, 90, 90), 207, 1.3),
    _KnownProtein("Proteinase K", "PROK", "P43212", (67.9, 67.9, 102.1, 90, 90, 90), 279, 1.1),
    _KnownProtein("Thermolysin", "THLN", "P6122", (92.8, 92.8, 128.5, 90, 90, 120), 316, 1.4),
    _KnownProtein("Insulin", "INS", "I213", (78.0, 78.0, 78.0, 90, 90, 90), 51, 1.5),
    _KnownProtein("Glucose isomerase", "XYLA", "I222", (93.9, 99.6, 102.9, 90, 90, 90), 388, 1.4),
    _KnownProtein("Bovine trypsin", "TRYP", "P212121", (54.9, 58.6, 67.5, 90, 90, 90), 223, 1.2),
    _KnownProtein("Concanavalin A", "CONA", "I222", (89.6, 86.7, 62.6, 90, 90, 90), 237, 1.6),
    _KnownProtein(
        "Sperm whale myoglobin", "MYG", "P21", (64.1, 30.8, 34.7, 90, 105.9, 90), 153, 1.5
    ),
    _KnownProtein(
        "Horse spleen ferritin", "FTL", "F432", (181.0, 181.0, 181.0, 90, 90, 90), 174, 1.9
    ),
)

_ORGANISMS = (
    "Human", "Mouse", "Bovine", "Yeast", "Escherichia coli", "Thermus thermophilus",
    "Pseudomonas aeruginosa", "Mycobacterium tuberculosis", "Arabidopsis", "Plasmodium falciparum",
    "Staphylococcus aureus", "Pyrococcus furiosus", "SARS-CoV-2", "Zebrafish", "Drosophila",
)  # fmt: skip
_FAMILIES = (
    "kinase", "phosphatase", "dehydrogenase", "reductase", "isomerase", "transferase",
    "synthase", "protease", "hydrolase", "lectin", "esterase", "oxidase", "ligase",
    "binding protein", "transporter domain", "nucleotidyltransferase", "methyltransferase",
    "glycosidase", "lipase", "chaperone",
)  # fmt: skip
_QUALIFIERS = (
    "",
    "",
    "",
    "catalytic domain",
    "N-terminal domain",
    "C-terminal domain",
    "mutant",
    "complex",
)


def _acronym_of(name: str, number: int) -> str:
    letters = "".join(
        word[0] for word in name.replace("-", " ").split() if word[0].isalpha()
    ).upper()
    return f"{letters[:4]}{number}"


class ProteinProvider(BaseProvider):
    """Faker provider: ``fake.protein()``, ``fake.protein_name()``, ``fake.protein_sequence()``."""

    def protein_name(self) -> str:
        rng = self.generator.random
        name = f"{rng.choice(_ORGANISMS)} {rng.choice(_FAMILIES)}"
        qualifier = rng.choice(_QUALIFIERS)
        if qualifier == "mutant":
            residue = rng.choice(sorted(RESIDUE_MASS_DA))
            return f"{name} {residue}{rng.randint(10, 400)}A mutant"
        return f"{name} {qualifier}".strip()

    def protein_acronym(self, name: str | None = None) -> str:
        return _acronym_of(name or self.protein_name(), self.generator.random.randint(1, 9))

    def protein_sequence(self, length: int | None = None) -> str:
        rng = self.generator.random
        size = length if length is not None else rng.randint(80, 600)
        residues = list(RESIDUE_FREQUENCY)
        weights = [RESIDUE_FREQUENCY[r] for r in residues]
        return "M" + "".join(rng.choices(residues, weights=weights, k=max(size - 1, 0)))

    def protein(self, known: bool = False) -> ProteinSpec:
        """A protein and its crystal form; ``known`` picks one of the classic test proteins."""
        rng = self.generator.random
        if known:
            entry = rng.choice(KNOWN_PROTEINS)
            group = space_group(entry.group)
            form = CrystalForm(
                group, constrained_cell(group.system, *entry.cell), entry.diffraction_limit
            )
            sequence = entry.sequence or self.protein_sequence(entry.length)
            return ProteinSpec(entry.name, entry.acronym, sequence, form)
        name = self.protein_name()
        group = random_space_group(rng)
        form = CrystalForm(group, random_cell(rng, group), round(rng.uniform(1.2, 3.2), 2))
        return ProteinSpec(name, self.protein_acronym(name), self.protein_sequence(), form)
