"""Program generation: an outline (program and mesocycle plans), then a breakdown of
each mesocycle plan into weeks and workouts, by one of two generators behind one
interface (rule-based by default, or an LLM), stored in one transaction."""
