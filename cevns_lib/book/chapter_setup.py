"""What chapters 05–07 share: resolving the ``experiment`` parameter into the projection their
reproduction sections use and the COHERENT data their measurement section fits.

On a projection the chapter reproduces Carey & Pandey for that detector and shows the measurement of
the default data combination beside it; on a data set (or combination) it measures from those data
and shows the projections for comparison, recording only the data keys (the results contract of README, "Re-running a chapter").
"""

from dataclasses import dataclass

from cevns_lib.analysis.sensitivity import configure_experiment
from cevns_lib.datafiles import loader
from cevns_lib.experiments.catalog import experiment_names, get_experiment
from cevns_lib.experiments.coherent.datasets import DATA_SETS
from cevns_lib.experiments.projections import Experiment

REFERENCE_PROJECTION = "PIP2-BD"
"""The projection shown in the reproduction sections when the chapter runs on data: the detector
with the most published numbers in Carey & Pandey (arXiv:2510.14015)."""

FETCH_COMMAND = "cevns data fetch"


def default_data_experiment() -> str:
    """The data combination shown beside the projections: the first of the registry."""
    return experiment_names("combination")[0]


def missing_data_sets(experiment: str) -> list:
    """Data sets behind ``experiment`` of which a registered file is in none of the data folders
    (a file that is present but wrong is not 'missing': reading it fails loudly)."""
    exp = get_experiment(experiment)
    parts = exp.parts if exp.kind == "combination" else (exp.name,)
    return loader.missing_datasets([DATA_SETS[p].dataset for p in parts])


@dataclass(frozen=True)
class ChapterSetup:
    """Resolved ``experiment`` of a chapter.

    Attributes
    ----------
    experiment : str
        The parameter as given.
    kind : str
        ``"projection"``, ``"data"`` or ``"combination"``.
    projection : Experiment
        The configured projection of the reproduction sections (the chosen one, or
        :data:`REFERENCE_PROJECTION` on data).
    data_experiment : str
        The data set or combination of the measurement section.
    missing : tuple
        Data sets not found (the measurement section then shows how to fetch them).
    """

    experiment: str
    kind: str
    projection: Experiment
    data_experiment: str
    missing: tuple

    @property
    def is_projection(self) -> bool:
        return self.kind == "projection"

    @property
    def projection_name(self) -> str:
        return self.projection.name

    @property
    def have_data(self) -> bool:
        return not self.missing

    def projection_form_factor(self, form_factor: str) -> str:
        """The model for the projections: ``"default"`` → the projection's own default."""
        return self.projection.default_form_factor if form_factor == "default" else form_factor

    def data_form_factor(self, form_factor: str) -> str:
        """The model for the data: ``"default"`` → the data sets' own default."""
        return get_experiment(self.data_experiment).default_form_factor if form_factor == "default" else form_factor

    def data_notice(self) -> str:
        """Markdown admonition shown instead of the measurement when the data are absent."""
        return (":::{admonition} COHERENT data not available\n:class: note\n"
                f"The measurement from `{self.data_experiment}` needs the data set(s) {', '.join(self.missing)}, "
                f"not found in the data folders. Fetch them with `{FETCH_COMMAND} {' '.join(self.missing)}` "
                f"(or set {loader.ENV_VAR}) and re-run this chapter.\n:::")


def chapter_setup(experiment: str, threshold_keVnr=-1.0, run_time_years=1.0, configuration="paper") -> ChapterSetup:
    """Resolve and validate the ``experiment`` parameter of chapters 05–07.

    ``threshold_keVnr`` and ``run_time_years`` configure a projection; on data they must keep
    their defaults (−1 and 1), since a data set's threshold and exposure are those of its release.
    ``configuration`` (``"paper"`` or ``"facility"``) selects the numbers of the projection, also of
    the reference projection shown on data.
    """
    exp = get_experiment(experiment)
    if exp.kind == "projection":
        proj = configure_experiment(experiment, threshold_keVnr, run_time_years, configuration)
        data = default_data_experiment()
    else:
        if threshold_keVnr != -1.0 or run_time_years != 1.0:
            raise ValueError(f"threshold_keVnr and run_time_years apply to projections only; {experiment} "
                             "is a data set with the threshold and exposure of its release (leave them at -1 and 1)")
        proj = configure_experiment(REFERENCE_PROJECTION, -1.0, 1.0, configuration)
        data = experiment
    return ChapterSetup(experiment, exp.kind, proj, data, tuple(missing_data_sets(data)))
