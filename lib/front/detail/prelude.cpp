// lib/front/detail/prelude.cpp - raspkit's library: the names RASP users expect, in RASP.
//
// Each definition gives the same results and costs the same heads as the reference
// library's function of that name (so that layer counts agree); `selector_width` is a
// built-in SelectorWidth node (stager.cpp) with the reference's cost.
#include "lib/front/detail/stager.h"

namespace rasp::front::detail {

namespace {

// The names whose definitions rest on what an aggregate of several keys is: a mean (the
// reference's), or a sum (RASPy's, `--aggregate sum`). Each costs the same heads both ways.
const char* const kMeanNames = R"rasp(
# The reciprocal of the share of position 0 among all positions.
length = round(1 / aggregate(full_s, indicator(indices == 0)));

def count(values, wanted) {
    return round(length * aggregate(full_s, indicator(values == wanted)));
}

def average(values) {
    return aggregate(full_s, values);
}
)rasp";

const char* const kSumNames = R"rasp(
# One for every position.
length = round(aggregate(full_s, 1));

def count(values, wanted) {
    return round(aggregate(full_s, indicator(values == wanted)));
}

def average(values) {
    return aggregate(full_s, values) / length;
}
)rasp";

const char* const kCommon = R"rasp(
# Every key for every query: one shared head wherever it is used.
full_s = select(1, 1, ==);
)rasp";

const char* const kRest = R"rasp(
def has_focus(attention) {
    return aggregate(attention, 1, 0) > 0;
}

def contains(values, wanted) {
    return aggregate(full_s, indicator(values == wanted)) > 0;
}

def max(left, right) {
    return left if left > right else right;
}

def min(left, right) {
    return left if left < right else right;
}

def load_from_location(values, position) {
    return aggregate(select(indices, position, ==), values);
}

def shift(values, offset, fill) {
    return aggregate(select(indices + offset, indices, ==), values, fill);
}

def mark_last_instance(values, wanted) {
    here = values == wanted;
    later_match = select(values, wanted, ==) and select(indices, indices, >);
    return here and not has_focus(later_match);
}

def mark_first_instance(values, wanted) {
    here = values == wanted;
    earlier_match = select(values, wanted, ==) and select(indices, indices, <);
    return here and not has_focus(earlier_match);
}

def select_from_last(values, wanted) {
    return select(mark_last_instance(values, wanted), True, ==);
}

def select_from_first(values, wanted) {
    return select(mark_first_instance(values, wanted), True, ==);
}

def sort(values, keys) {
    goes_before = select(keys, keys, <) or (select(keys, keys, ==) and select(indices, indices, <));
    place = selector_width(goes_before);
    return aggregate(select(place, indices, ==), values);
}

def select_next_identical(values) {
    same_before = select(values, values, ==) and select(indices, indices, <);
    rank = selector_width(same_before);
    return select(values, values, ==) and select(rank, rank + 1, ==);
}
)rasp";

}  // namespace

const std::string& prelude_source(bool sums) {
  static const std::string means = std::string(kCommon) + kMeanNames + kRest;
  static const std::string with_sums = std::string(kCommon) + kSumNames + kRest;
  return sums ? with_sums : means;
}

}  // namespace rasp::front::detail
