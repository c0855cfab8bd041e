"""Every setting that decides a score, with the figures that chose it.

Each was kept only when `izde eval retrieval` on the development queries said so
(the commit messages hold the runs). Speed knobs that leave scores alone stay
beside their code (term_scoring.ARRAY_MIN_POSTINGS, phrase_matching._READ_WHOLE_RATIO).
"""

from search.storage.schema import EXACT_FIELD, STEM_FIELD, TEXT_FIELDS, TITLE_FIELDS

# BM25's term-frequency saturation and length normalization.
K1 = 1.2
B = 0.75
# Russian paragraphs normalized for length less: the long answers of the dev set
# lost to one-sentence distractors. text_ru B 0.75 / 0.6 / 0.5 / 0.4 gave ru
# nDCG@10 0.9389 / 0.9409 / 0.9410 / 0.9395; kk and en do not move, keep 0.75.
FIELD_B = {"text_ru": 0.5}

# How much a match in each field counts. A lemma match in the text is the unit;
# the exact form adds to it; a title match says what the paragraph is about; a
# Russian word's Snowball stem counts as much as its lemma, so a word matching by
# both outranks one matching by its stem alone.
FIELD_BOOSTS = {**{f: 1.0 for f in TEXT_FIELDS}, EXACT_FIELD: 0.25,
                **{f: 2.0 for f in TITLE_FIELDS}, STEM_FIELD: 1.0}

# A folded match counts for less than a match of the letters as written: the
# folding merges words (көл "lake" and кол) that the exact fields tell apart.
FOLDED_BOOST = 0.5
# When a text's Kazakh letters were restored, the text as typed still counts, at
# this weight: its words match Russian forms and the merged folded ones (көл and
# кол) that the restored text tells apart. Dev set, folded kk MRR@10 with weight
# 1 / 0.5 / 0.2 / 0: 0.6793 / 0.6926 / 0.6994 / 0.6957.
TYPED_WEIGHT_WHEN_RESTORED = 0.2

# Proximity (ranking.proximity): neighbouring query words at most NEAR positions
# apart (stop words dropped from the index do not count) raise a paragraph's
# score by PAIR_BONUS of itself, among the best POOL by BM25 (20, 30, 50 and 100
# gave the same dev nDCG@10).
NEAR = 2
PAIR_BONUS = 0.2
POOL = 20
