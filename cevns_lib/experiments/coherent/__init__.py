"""COHERENT data sets: responses, observed data and backgrounds of CsI 2017, CsI 2021 and Ar 2020."""
