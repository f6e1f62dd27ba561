import FuzzSupport

// libFuzzer runs `fuzzEvaluatorReply` (Target.swift) on every input.
Fuzz.main(fuzzEvaluatorReply) { _ = (tasks, batches, outstanding) }
