enum InletMailPlaceholder {}
