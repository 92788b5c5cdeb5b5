"""Stock business rules, one module per topic; none of them commits."""
