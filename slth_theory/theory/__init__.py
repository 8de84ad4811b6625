"""The paper's statements as computations: Lemmas 1-4 and Theorem 5's width bound."""
