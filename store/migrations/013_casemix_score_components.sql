-- 013: the resident score may use the case-mix standardised rates
-- (score.case_mix); score_components records which indicator entered.
ALTER TABLE score_components ADD COLUMN indicator VARCHAR;
COMMENT ON COLUMN score_components.indicator IS 'The indicator whose values entered the score for this component: the component itself, or <component>.standardised (the case-mix standardised rate) for a community when score.case_mix is true. Written by every run; NULL only on rows older than this column.';
