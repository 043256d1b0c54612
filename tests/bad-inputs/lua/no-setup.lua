return { description = "x" }
