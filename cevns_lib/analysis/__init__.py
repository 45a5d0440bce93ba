"""Statistics: likelihoods, nuisance profiling, scans, intervals and contours."""
