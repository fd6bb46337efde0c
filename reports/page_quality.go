package reports

// data-quality.html: what was loaded and what was not, internal.

type qualityView struct {
	pageCommon
	Has        bool
	Files      []qRow
	Rejects    []qRow
	Exclusions []qRow
	Flagged    []qRow
	Missing    []qRow
	Dropped    []qRow
	Others     []qRow
	Mapped     []qRow
	Statuses   []qRow
	Strata     []qRow
	// StrataNote introduces the survey weighting table (its year).
	StrataNote string
	Cases      string
	Responses  string
	Note       string
}

type qRow struct {
	Cells []string
	Share string  // a percentage, or ""
	Bar   float64 // 0..100
}

func qualityPages(rc *renderCtx) []page {
	return []page{{path: fileQuality, build: rc.buildQuality}}
}

func (rc *renderCtx) buildQuality() (any, error) {
	v := &qualityView{Note: tr(rc.lang, "quality_note")}
	if q := rc.d.Quality; q != nil {
		v.Has = true
		n := func(x int64) string { return formatNumber(float64(x), 0) }
		share := func(x, of int64) (string, float64) {
			if of <= 0 {
				return "", 0
			}
			f := float64(x) / float64(of) * 100
			return formatNumber(f, 1) + "%", round(f, 1)
		}
		for _, f := range q.Files {
			s, b := share(f.Rejected, f.Read)
			v.Files = append(v.Files, qRow{Cells: []string{f.Path, tr(rc.lang, "kind_input_"+f.Kind), n(f.Read), n(f.Clean), n(f.Rejected), f.LoadedAt}, Share: s, Bar: b})
		}
		for _, r := range q.Rejects {
			v.Rejects = append(v.Rejects, qRow{Cells: []string{r.File, tr(rc.lang, "kind_input_"+r.Kind), reasonName(r.Reason, rc.lang), r.Reason, n(r.N)}})
		}
		for _, e := range q.Exclusions {
			name := tr(rc.lang, "kept")
			if e.Name != "" {
				name = reasonName(e.Name, rc.lang)
			}
			s, b := share(e.N, q.Responses)
			v.Exclusions = append(v.Exclusions, qRow{Cells: []string{name, e.Name, n(e.N)}, Share: s, Bar: b})
		}
		kept := int64(0)
		for _, e := range q.Exclusions {
			if e.Name == "" {
				kept = e.N
			}
		}
		for _, f := range q.Flagged {
			s, b := share(f.N, kept)
			v.Flagged = append(v.Flagged, qRow{Cells: []string{reasonName(f.Name, rc.lang), f.Name, n(f.N)}, Share: s, Bar: b})
		}
		for _, m := range q.Missing {
			s, b := share(m.N, q.Cases)
			v.Missing = append(v.Missing, qRow{Cells: []string{fieldName(m.Name, rc.lang), m.Name, n(m.N)}, Share: s, Bar: b})
		}
		for _, d := range q.Dropped {
			v.Dropped = append(v.Dropped, qRow{Cells: []string{d.File, tr(rc.lang, "kind_input_"+d.Kind), d.Header, reasonName("drop_"+d.Reason, rc.lang), d.Reason}})
		}
		for _, o := range q.Others {
			s, b := share(o.N, o.Of)
			v.Others = append(v.Others, qRow{Cells: []string{tr(rc.lang, "kind_input_"+o.Kind), fieldName(o.Column, rc.lang), o.Column, n(o.N), n(o.Of)}, Share: s, Bar: b})
		}
		for _, m := range q.Mapped {
			v.Mapped = append(v.Mapped, qRow{Cells: []string{m.File, tr(rc.lang, "kind_input_"+m.Kind), fieldName(m.Column, rc.lang), m.Column, reasonName("mapped_"+m.How, rc.lang), m.How, n(m.N)}})
		}
		statusTotal := int64(0)
		for _, st := range q.Statuses {
			statusTotal += st.N
		}
		for _, st := range q.Statuses {
			name := tr(rc.lang, "status_none")
			if st.Name != "" {
				name = reasonName("status_"+st.Name, rc.lang)
			}
			s, b := share(st.N, statusTotal)
			v.Statuses = append(v.Statuses, qRow{Cells: []string{name, st.Name, n(st.N)}, Share: s, Bar: b})
		}
		v.Strata = strataRows(q.Strata, rc.lang)
		if len(v.Strata) > 0 {
			v.StrataNote = tr(rc.lang, "strata_note", q.StrataPeriod)
		}
		v.Cases, v.Responses = n(q.Cases), n(q.Responses)
	}
	common, err := rc.common(tr(rc.lang, "quality_title"), 0, chartSet{})
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileQuality, false)
	v.pageCommon = common
	return v, nil
}

// reasonName names a reject or exclusion reason in words; an unknown code
// is shown as it is.
func reasonName(code, lang string) string {
	if s := tr(lang, "reason_"+code); s != "reason_"+code {
		return s
	}
	return code
}

// fieldName names a case field in words.
func fieldName(code, lang string) string {
	if s := tr(lang, "field_"+code); s != "field_"+code {
		return s
	}
	return code
}

// strataRows are the survey weighting rows in words: community, whose
// population, stratum (or why responses were left out), respondents,
// sample and population share, weight, and the stratum it was merged into.
func strataRows(ss []QualityStratum, lang string) []qRow {
	pct := func(f *float64) string {
		if f == nil {
			return ""
		}
		return formatNumber(*f*100, 1) + "%"
	}
	join := func(a, b string) string {
		if a != "" && b != "" {
			return a + " · " + b
		}
		return a + b
	}
	var out []qRow
	for _, s := range ss {
		stratum := join(s.AgeGroup, s.Gender)
		if s.LeftOut != "" {
			stratum = join(tr(lang, "strata_left_"+s.LeftOut), stratum)
		}
		w := ""
		if s.Weight != nil {
			w = formatNumber(*s.Weight, 2)
		}
		merged := join(s.MergedAge, s.MergedGender)
		if merged != "" {
			merged = "→ " + merged
		}
		out = append(out, qRow{Cells: []string{s.CommunityName, s.CommunityID, tr(lang, "strata_source_"+s.Source), stratum,
			formatNumber(float64(s.Respondents), 0), pct(s.SampleShare), pct(s.PopulationShare), w, merged}})
	}
	return out
}
