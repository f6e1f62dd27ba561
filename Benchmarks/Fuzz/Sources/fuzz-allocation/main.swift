import FuzzSupport

// libFuzzer runs `fuzzAllocation` (Target.swift) on every input.
Fuzz.main(fuzzAllocation) { _ = channels }
