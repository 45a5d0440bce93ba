"""The COHERENT data sets as experiments: one interface for CsI-2017, CsI-2021 and Ar-2020.

Each data set builds its :class:`~cevns_lib.engine.prediction.Prediction` (for any registered form
factor) and declares its likelihood (:class:`~cevns_lib.experiments.likelihood_spec.LikelihoodSpec`);
options that concern both — bin edges, the argon exposure, its fit — are forwarded to both from
one place (:meth:`DataSetExperiment.build`).
"""

from dataclasses import dataclass

from cevns_lib.experiments.coherent import ar2020, csi2017, csi2021

AR_FITS = ("energy_time", "energy")
"""Argon likelihoods: ``energy_time`` (default) = Poisson χ² in 12 energy × 10 time bins with the
released shape systematics (:func:`cevns_lib.experiments.coherent.ar2020.energy_time_likelihood_spec`),
the form of COHERENT's own fit, which constrains the prompt beam-related neutrons by their timing and
so measures the CEvNS normalisation (book/08_coherent_data.md); ``energy`` = Gaussian
least squares in 12 energy bins (arXiv:2005.01645, 2008.05022), the fit of the light-mediator
papers, which lets the BRN float low and inflates the CEvNS normalisation."""

_GRID = ("panels_per_decade", "order", "coupling_scheme")


def _split(options, allowed, name):
    unknown = set(options) - set(allowed)
    if unknown:
        raise ValueError(f"{name}: unknown option(s) {', '.join(sorted(unknown))}; allowed: {', '.join(allowed)}")


def _build_csi2017(form_factor, options):
    _split(options, (*_GRID, "time_window"), "CsI-2017")
    pred = csi2017.prediction(form_factor=form_factor, **options)
    return pred, csi2017.likelihood_spec()


def _build_csi2021(form_factor, options):
    _split(options, (*_GRID, "pulse_mean_us", "pe_edges", "time_edges", "qf_variant", "eff_variant"), "CsI-2021")
    edges = {k: options[k] for k in ("pe_edges", "time_edges") if k in options}
    pred = csi2021.prediction(form_factor=form_factor, **options)
    return pred, csi2021.likelihood_spec(**edges)


def _build_ar2020(form_factor, options):
    _split(options, (*_GRID, "which_exposure", "timing_window", "fit"), "Ar-2020")
    opts = dict(options)
    fit = opts.pop("fit", "energy_time")
    if fit == "energy":
        return ar2020.prediction(form_factor=form_factor, **opts), ar2020.likelihood_spec()
    if fit == "energy_time":
        if opts.pop("timing_window", True) is False:
            raise ValueError("the energy × time fit needs the release's time window (timing_window=True)")
        pred = ar2020.prediction(form_factor=form_factor, time_bins=True, **opts)
        return pred, ar2020.energy_time_likelihood_spec(opts.get("which_exposure", "release"), nominal_sm=pred.sm())
    raise ValueError(f"Ar-2020 fit must be one of {', '.join(AR_FITS)}, got {fit!r}")


@dataclass(frozen=True)
class DataSetExperiment:
    """A COHERENT data set.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"CsI-2021"``.
    label : str
    short : str
        Target material, the key of the data set inside a combination (``"CsI"``, ``"Ar"``).
    module : module
        The data-set module (response, observed data, backgrounds).
    nuclei : tuple of str
    dataset : str
        Folder of its files in the data route (``cevns_lib.datafiles``).
    """

    name: str
    label: str
    short: str
    module: object
    nuclei: tuple
    dataset: str
    _builder: object

    kind = "data"
    default_form_factor = "helm_point_radii"

    def build(self, form_factor=None, **options):
        """(prediction, likelihood spec) for a registered form factor (default: Helm with the
        point radii of the mediator fits) and data-set options."""
        return self._builder(form_factor or self.default_form_factor, options)


DATA_SETS = {
    "CsI-2017": DataSetExperiment("CsI-2017", "COHERENT CsI[Na] 2017", "CsI", csi2017, ("Cs133", "I127"),
                                  csi2017.DATASET, _build_csi2017),
    "CsI-2021": DataSetExperiment("CsI-2021", "COHERENT CsI[Na] 2021 (full data set)", "CsI", csi2021,
                                  ("Cs133", "I127"), csi2021.DATASET, _build_csi2021),
    "Ar-2020": DataSetExperiment("Ar-2020", "COHERENT CENNS-10 LAr 2020 (Analysis A)", "Ar", ar2020, ("Ar40",),
                                 ar2020.DATASET, _build_ar2020),
}
"""The three COHERENT data sets, by registry name."""
