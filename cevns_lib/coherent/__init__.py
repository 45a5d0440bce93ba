"""COHERENT public data: the file loader and the likelihoods of the CsI 2017, CsI 2021 and
Ar 2020 (CENNS-10 Analysis A) data sets."""
