"""Target nuclei: proton and neutron numbers, nuclear masses and radii.

Nuclear (not atomic) masses: M = m_atom − Z m_e, electron binding neglected (≤ 10⁻⁶ relative).
Atomic masses: AME2020 (Wang et al., Chinese Phys. C 45, 030003 (2021)).
Charge radii: Angeli & Marinova, At. Data Nucl. Data Tables 99, 69 (2013).
"""

from dataclasses import dataclass

from cevns_lib.physics import constants as c


@dataclass(frozen=True)
class Nucleus:
    """A target nucleus.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"Ar40"``.
    Z, N : int
        Proton and neutron numbers.
    atomic_mass_u : float
        Atomic mass in u (AME2020).
    molar_mass_g_per_mol : float
        Molar mass of the *target material per nucleus of this kind*, used to count targets
        (natural argon 39.948 g/mol; for CsI the molecule's 259.81 g/mol, one Cs and one I each).
    charge_radius_fm : float
        rms charge radius in fm (Angeli & Marinova 2013).
    """

    name: str
    Z: int
    N: int
    atomic_mass_u: float
    molar_mass_g_per_mol: float
    charge_radius_fm: float

    @property
    def A(self) -> int:
        """Mass number."""
        return self.Z + self.N

    @property
    def mass(self) -> float:
        """Nuclear mass in MeV (atomic mass minus Z electron masses)."""
        return self.atomic_mass_u * c.atomic_mass_unit - self.Z * c.m_e

    def targets_per_kg(self) -> float:
        """Number of nuclei of this kind per kg of target material."""
        return 1.0e3 * c.N_A / self.molar_mass_g_per_mol


NUCLEI = {
    "Ar40": Nucleus("Ar40", 18, 22, 39.9623831237, 39.948, 3.4274),
    # CsI: one Cs and one I per molecule, molar mass of CsI 259.81 g/mol.
    "Cs133": Nucleus("Cs133", 55, 78, 132.905451961, 259.81, 4.8041),
    "I127": Nucleus("I127", 53, 74, 126.904473, 259.81, 4.7500),
}


def get_nucleus(name: str) -> Nucleus:
    """Return the registered nucleus ``name`` (one of ``NUCLEI``); ValueError otherwise."""
    try:
        return NUCLEI[name]
    except KeyError:
        raise ValueError(f"unknown nucleus {name!r}; known nuclei: {', '.join(NUCLEI)}") from None
