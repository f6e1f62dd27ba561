import FuzzSupport

// libFuzzer runs `fuzzProblem` (Target.swift) on every input.
Fuzz.main(fuzzProblem)
