// lib/interp/detail/kernel.cpp - Running a kernel's column instructions on one input.
//
// At n = 10 the evaluator spent most of an evaluation deciding, node by node, what kind of
// column each operand was, and normalising fractions (issue 2, item 9). A kernel decides the
// types once per program and runs straight-line operations on fixed arrays; a fraction stays
// as it was made (den > 0) until it is printed, and a selector row is a 64-bit word.
#include "lib/interp/detail/kernel.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <numeric>
#include <vector>

#include "lib/interp/detail/kernel_code.h"
#include "lib/interp/detail/kernel_rows.h"

namespace rasp::interp::detail {

using ir::Value;

namespace {

using i128 = __int128;

bool fits(i128 x) { return x >= static_cast<i128>(INT64_MIN) && x <= static_cast<i128>(INT64_MAX); }

i128 abs128(i128 x) { return x < 0 ? -x : x; }

i128 gcd128(i128 a, i128 b) {
  a = abs128(a);
  b = abs128(b);
  while (b != 0) {
    i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Stores num/den (den != 0) as a Float, normalising only when the parts do not fit.
bool put_float(NumColumn& out, std::size_t i, i128 num, i128 den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  if (!fits(num) || !fits(den)) {
    i128 g = gcd128(num, den);
    num /= g;
    den /= g;
    if (!fits(num) || !fits(den)) return false;
  }
  out.kind[i] = Kind::Float;
  out.num[i] = static_cast<std::int64_t>(num);
  out.den[i] = static_cast<std::int64_t>(den);
  return true;
}

bool put_int(NumColumn& out, std::size_t i, i128 x) {
  if (!fits(x)) return false;
  out.kind[i] = Kind::Int;
  out.num[i] = static_cast<std::int64_t>(x);
  out.den[i] = 1;
  return true;
}

// a op b for + - * / on fractions in 64-bit steps (den > 0 after); false when a step
// overflows, for the 128-bit path to decide.
bool fraction64(BinaryOp op, std::int64_t an, std::int64_t ad, std::int64_t bn, std::int64_t bd, std::int64_t& num,
                std::int64_t& den) {
  std::int64_t x = 0, y = 0;
  switch (op) {
    case BinaryOp::Add:
    case BinaryOp::Sub: {
      bool over = __builtin_mul_overflow(an, bd, &x) | __builtin_mul_overflow(bn, ad, &y) |
                  __builtin_mul_overflow(ad, bd, &den);
      over |= op == BinaryOp::Add ? __builtin_add_overflow(x, y, &num) : __builtin_sub_overflow(x, y, &num);
      return !over;
    }
    case BinaryOp::Mul:
      return !(__builtin_mul_overflow(an, bn, &num) | __builtin_mul_overflow(ad, bd, &den));
    default: {  // Div, bn != 0
      if (__builtin_mul_overflow(an, bd, &num) | __builtin_mul_overflow(ad, bn, &den)) return false;
      if (den < 0) {
        if (num == INT64_MIN || den == INT64_MIN) return false;
        num = -num;
        den = -den;
      }
      return true;
    }
  }
}

bool arith(BinaryOp op, const NumColumn& a, const NumColumn& b, NumColumn& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    bool floaty = a.kind[i] == Kind::Float || b.kind[i] == Kind::Float;
    if (op == BinaryOp::Div && b.num[i] == 0) return false;
    if ((floaty && op <= BinaryOp::Mul) || op == BinaryOp::Div) {
      std::int64_t num = 0, den = 1;
      if (fraction64(op, a.num[i], a.den[i], b.num[i], b.den[i], num, den)) {
        out.kind[i] = Kind::Float;
        out.num[i] = num;
        out.den[i] = den;
        continue;
      }
    }
    i128 an = a.num[i], ad = a.den[i], bn = b.num[i], bd = b.den[i];
    bool ok = true;
    switch (op) {
      case BinaryOp::Add:
        ok = floaty ? put_float(out, i, an * bd + bn * ad, ad * bd) : put_int(out, i, an + bn);
        break;
      case BinaryOp::Sub:
        ok = floaty ? put_float(out, i, an * bd - bn * ad, ad * bd) : put_int(out, i, an - bn);
        break;
      case BinaryOp::Mul:
        ok = floaty ? put_float(out, i, an * bn, ad * bd) : put_int(out, i, an * bn);
        break;
      case BinaryOp::Div:
        ok = bn != 0 && put_float(out, i, an * bd, ad * bn);
        break;
      case BinaryOp::Mod: {
        if (floaty || bn == 0) return false;
        i128 r = an % bn;
        if (r != 0 && ((r < 0) != (bn < 0))) r += bn;
        ok = put_int(out, i, r);
        break;
      }
      default: {  // Min, Max: `a if a < b else b`, `a if a > b else b`, kind and all
        int c = order(a, i, b, i);
        bool take_a = op == BinaryOp::Min ? c < 0 : c > 0;
        const NumColumn& from = take_a ? a : b;
        out.kind[i] = from.kind[i];
        out.num[i] = from.num[i];
        out.den[i] = from.den[i];
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

bool round_half_even(const NumColumn& a, NumColumn& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a.kind[i] != Kind::Float) {
      out.num[i] = a.num[i];
      continue;
    }
    std::int64_t num = a.num[i], den = a.den[i];  // den > 0
    std::int64_t fl = num / den, rem = num % den;
    if (rem < 0) {
      --fl;
      rem += den;
    }
    // The fraction rem/den against one half: rem against den - rem.
    std::int64_t rest = den - rem;
    if (rem > rest || (rem == rest && (fl & 1) != 0)) {
      if (fl == INT64_MAX) return false;
      ++fl;
    }
    out.num[i] = fl;
  }
  return true;
}

// a & b or a | b, word by word: bool columns (0 or 1 each) and selector rows alike.
template <typename Word>
void and_or(bool both, const Word* a, const Word* b, Word* out, std::size_t n) {
  if (both) {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] & b[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] | b[i];
  }
}

// Set bits, without the library call std::popcount becomes on baseline x86-64.
std::int64_t bit_count(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<std::int64_t>((x * 0x0101010101010101ULL) >> 56);
}

// + - * % min max over two columns of ints and bools, each of one kind throughout.
bool arith_ints(BinaryOp op, const NumColumn& a, const NumColumn& b, NumColumn& out, std::size_t n) {
  const std::int64_t *x = a.num.data(), *y = b.num.data();
  std::int64_t* r = out.num.data();
  bool overflow = false;
  switch (op) {
    case BinaryOp::Add:
      for (std::size_t i = 0; i < n; ++i) overflow |= __builtin_add_overflow(x[i], y[i], &r[i]);
      return !overflow;
    case BinaryOp::Sub:
      for (std::size_t i = 0; i < n; ++i) overflow |= __builtin_sub_overflow(x[i], y[i], &r[i]);
      return !overflow;
    case BinaryOp::Mul:
      for (std::size_t i = 0; i < n; ++i) overflow |= __builtin_mul_overflow(x[i], y[i], &r[i]);
      return !overflow;
    case BinaryOp::Mod:
      for (std::size_t i = 0; i < n; ++i) {
        if (y[i] == 0) return false;
        i128 m = static_cast<i128>(x[i]) % y[i];
        if (m != 0 && ((m < 0) != (y[i] < 0))) m += y[i];
        r[i] = static_cast<std::int64_t>(m);
      }
      return true;
    case BinaryOp::Min:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] < y[i] ? x[i] : y[i];
      return true;
    default:  // Max
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] > y[i] ? x[i] : y[i];
      return true;
  }
}

template <BinaryOp op>
void compare_numbers_by(const NumColumn& a, const NumColumn& b, NumColumn& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    int c = order(a, i, b, i);
    if constexpr (op == BinaryOp::Eq) out.num[i] = c == 0;
    if constexpr (op == BinaryOp::Ne) out.num[i] = c != 0;
    if constexpr (op == BinaryOp::Lt) out.num[i] = c < 0;
    if constexpr (op == BinaryOp::Le) out.num[i] = c <= 0;
    if constexpr (op == BinaryOp::Gt) out.num[i] = c > 0;
    if constexpr (op == BinaryOp::Ge) out.num[i] = c >= 0;
  }
}

void compare_numbers(BinaryOp op, const NumColumn& a, const NumColumn& b, NumColumn& out, std::size_t n) {
  switch (op) {
    case BinaryOp::Eq:
      return compare_numbers_by<BinaryOp::Eq>(a, b, out, n);
    case BinaryOp::Ne:
      return compare_numbers_by<BinaryOp::Ne>(a, b, out, n);
    case BinaryOp::Lt:
      return compare_numbers_by<BinaryOp::Lt>(a, b, out, n);
    case BinaryOp::Le:
      return compare_numbers_by<BinaryOp::Le>(a, b, out, n);
    case BinaryOp::Gt:
      return compare_numbers_by<BinaryOp::Gt>(a, b, out, n);
    default:
      return compare_numbers_by<BinaryOp::Ge>(a, b, out, n);
  }
}

// x bop 0 for fractions with den > 0: the sign of the numerator.
void compare_zero(BinaryOp op, const NumColumn& a, NumColumn& out, std::size_t n) {
  const std::int64_t* x = a.num.data();
  std::int64_t* r = out.num.data();
  switch (op) {
    case BinaryOp::Eq:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] == 0;
      return;
    case BinaryOp::Ne:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] != 0;
      return;
    case BinaryOp::Lt:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] < 0;
      return;
    case BinaryOp::Le:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] <= 0;
      return;
    case BinaryOp::Gt:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] > 0;
      return;
    default:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] >= 0;
      return;
  }
}

void compare_ints(BinaryOp op, const NumColumn& a, const NumColumn& b, NumColumn& out, std::size_t n) {
  const std::int64_t *x = a.num.data(), *y = b.num.data();
  std::int64_t* r = out.num.data();
  switch (op) {
    case BinaryOp::Eq:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] == y[i];
      return;
    case BinaryOp::Ne:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] != y[i];
      return;
    case BinaryOp::Lt:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] < y[i];
      return;
    case BinaryOp::Le:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] <= y[i];
      return;
    case BinaryOp::Gt:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] > y[i];
      return;
    default:
      for (std::size_t i = 0; i < n; ++i) r[i] = x[i] >= y[i];
      return;
  }
}

// Means (or sums) of any numbers, one query at a time; false where the evaluator must decide
// (averaging bools or strings, fractions, a sum past 64 bits, a default of another type).
bool aggregate_num(const Kernel& k, const Instr& in, const SelColumn& sel, const NumColumn& values, NumColumn& out,
                   std::size_t n) {
  const Value* fallback = in.members.empty() ? nullptr : &in.members[0];
  int numeric = -1;  // unknown; the reference asks of the whole column, not the selected values
  for (std::size_t q = 0; q < n; ++q) {
    std::uint64_t row = sel.row[q];
    if (q > 0 && row == sel.row[q - 1]) {  // every query of `full_s`, and runs of equal queries
      out.kind[q] = out.kind[q - 1];
      out.num[q] = out.num[q - 1];
      out.den[q] = out.den[q - 1];
      continue;
    }
    if (row == 0) {
      if (!fallback) return false;
      out.kind[q] = fallback->kind();
      out.num[q] = fallback->num();
      out.den[q] = fallback->den();
      continue;
    }
    if ((row & (row - 1)) == 0) {
      auto key = static_cast<std::size_t>(std::countr_zero(row));
      out.kind[q] = values.kind[key];
      out.num[q] = values.num[key];
      out.den[q] = values.den[key];
      continue;
    }
    if (numeric < 0) {
      numeric = 0;
      for (std::size_t i = 0; i < n; ++i) numeric |= values.kind[i] != Kind::Bool ? 1 : 0;
    }
    if (numeric == 0) return false;
    i128 sum = 0;
    std::int64_t count = 0;
    for (std::uint64_t bits = row; bits != 0; bits &= bits - 1, ++count) {
      auto key = static_cast<std::size_t>(std::countr_zero(bits));
      if (values.kind[key] == Kind::Float) return false;
      sum += values.num[key];
    }
    if (!fits(sum)) return false;
    if (k.aggregation == Aggregation::Sum) {
      put_int(out, q, sum);
    } else {
      out.kind[q] = Kind::Float;
      out.num[q] = static_cast<std::int64_t>(sum);
      out.den[q] = count;
    }
  }
  return true;
}

// The same over a column of ints (every position an int) with a number default: sums of
// values[0..i) give each row that is one run of keys (`<=` and `<` on indices select
// prefixes) by a subtraction. False, for aggregate_num, when some value is too large for
// every sum to stay within 64 bits.
bool aggregate_ints(const Kernel& k, const Value& fallback, const SelColumn& sel, const NumColumn& values,
                    NumColumn& out, std::size_t n) {
  const std::int64_t* v = values.num.data();
  constexpr std::int64_t kSafe = INT64_MAX / static_cast<std::int64_t>(kN);
  std::uint64_t wide = 0;
  for (std::size_t i = 0; i < n; ++i) {
    wide |= static_cast<std::uint64_t>(static_cast<std::uint64_t>(v[i]) + static_cast<std::uint64_t>(kSafe) >
                                       static_cast<std::uint64_t>(2 * kSafe));
  }
  if (wide != 0) return false;
  std::array<std::int64_t, kN + 1> prefix;
  prefix[0] = 0;
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + v[i];
  bool sums = k.aggregation == Aggregation::Sum;
  for (std::size_t q = 0; q < n; ++q) {
    std::uint64_t row = sel.row[q];
    if (q > 0 && row == sel.row[q - 1]) {  // every query of `full_s`, and runs of equal queries
      out.kind[q] = out.kind[q - 1];
      out.num[q] = out.num[q - 1];
      out.den[q] = out.den[q - 1];
      continue;
    }
    if (row == 0) {
      out.kind[q] = fallback.kind();
      out.num[q] = fallback.num();
      out.den[q] = fallback.den();
      continue;
    }
    auto lo = static_cast<std::size_t>(std::countr_zero(row));
    std::uint64_t run = row >> lo;
    std::int64_t sum = 0, count = 0;
    if ((run & (run + 1)) == 0) {
      count = std::countr_one(run);
      sum = prefix[lo + static_cast<std::size_t>(count)] - prefix[lo];
    } else {
      for (std::uint64_t bits = row; bits != 0; bits &= bits - 1, ++count) {
        sum += v[static_cast<std::size_t>(std::countr_zero(bits))];
      }
    }
    bool mean = count > 1 && !sums;
    out.kind[q] = mean ? Kind::Float : Kind::Int;
    out.num[q] = sum;
    out.den[q] = mean ? count : 1;
  }
  return true;
}

// Which entry of a Lookup's table position i reads; false for a fault (an index out of
// range or not an int, a key not in the dict), left to the evaluator.
bool table_entry(const Kernel& k, const Instr& in, std::size_t i, std::size_t& entry) {
  if (in.table == ir::TableKind::Dict) {
    for (std::size_t j = 0; j < in.keys.size(); ++j) {
      bool equal = false;
      if (in.string_index) {
        equal = in.key_ids[j] == k.strs[in.a].id[i];
      } else if (in.key_ids[j] == kNoId) {
        const NumColumn& a = k.nums[in.a];
        equal = static_cast<i128>(a.num[i]) * in.keys[j].den() == static_cast<i128>(in.keys[j].num()) * a.den[i];
      }
      if (equal) {
        entry = j;
        return true;
      }
    }
    return false;
  }
  const NumColumn& a = k.nums[in.a];
  if (a.kind[i] == Kind::Float) return false;
  auto size = static_cast<std::int64_t>(in.op == Op::LookupStr ? in.ids.size() : in.members.size());
  std::int64_t at = a.num[i];
  if (at >= size || at < -size) return false;
  entry = static_cast<std::size_t>(at < 0 ? at + size : at);
  return true;
}

bool lookup(Kernel& k, const Instr& in, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t entry = 0;
    if (!table_entry(k, in, i, entry)) return false;
    if (in.op == Op::LookupStr) {
      k.strs[in.out].id[i] = in.ids[entry];
    } else {
      NumColumn& out = k.nums[in.out];
      out.kind[i] = in.members[entry].kind();
      out.num[i] = in.members[entry].num();
      out.den[i] = in.members[entry].den();
    }
  }
  return true;
}

// The registers' storage, fetched once an evaluation: instructions write through these
// pointers, which the vectors' own never change under.
struct Registers {
  NumColumn* nums;
  StrColumn* strs;
  SelColumn* sels;
};

// Inlined into the loop over instructions: a call per instruction cost a tenth of a kernel at n = 10.
[[gnu::always_inline]] inline bool step(Kernel& k, const Registers& r, const Instr& in, std::span<const Value> input,
                                       std::size_t n) {
  std::size_t first = k.bos ? 1 : 0;
  switch (in.op) {
    // Outputs of a fixed kind (Builder::specialise) get numerators alone.
    case Op::TokensStr: {
      StrColumn& out = r.strs[in.out];
      if (k.bos) out.id[0] = in.ids[0];
      for (std::size_t i = 0; i < input.size(); ++i) {
        if (!input[i].is_string()) return false;
        const std::string& s = input[i].str();
        std::uint32_t byte = s.size() == 1 ? k.byte_ids[static_cast<unsigned char>(s[0])] : 0;
        out.id[first + i] = byte != 0 ? byte - 1 : k.intern(s);
      }
      return true;
    }
    case Op::TokensInt: {
      NumColumn& out = r.nums[in.out];
      if (k.bos) out.num[0] = in.members[0].num();
      for (std::size_t i = 0; i < input.size(); ++i) {
        if (!input[i].is_int()) return false;
        out.num[first + i] = input[i].num();
      }
      return true;
    }
    case Op::Arith:
      return arith(in.bop, r.nums[in.a], r.nums[in.b], r.nums[in.out], n);
    case Op::ArithInt:
      return arith_ints(in.bop, r.nums[in.a], r.nums[in.b], r.nums[in.out], n);
    case Op::CompareNum:
      compare_numbers(in.bop, r.nums[in.a], r.nums[in.b], r.nums[in.out], n);
      return true;
    case Op::CompareInt:
      compare_ints(in.bop, r.nums[in.a], r.nums[in.b], r.nums[in.out], n);
      return true;
    case Op::CompareZero:
      compare_zero(in.bop, r.nums[in.a], r.nums[in.out], n);
      return true;
    case Op::AndBits:
    case Op::OrBits:
      and_or(in.op == Op::AndBits, r.nums[in.a].num.data(), r.nums[in.b].num.data(), r.nums[in.out].num.data(), n);
      return true;
    case Op::NotBit: {
      const NumColumn& a = r.nums[in.a];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) out.num[i] = a.num[i] ^ 1;
      return true;
    }
    case Op::CompareStr: {
      const StrColumn &a = r.strs[in.a], &b = r.strs[in.b];
      NumColumn& out = r.nums[in.out];
      if (in.bop == BinaryOp::Eq || in.bop == BinaryOp::Ne) {
        // One id per string: equality is equality of ids.
        bool eq = in.bop == BinaryOp::Eq;
        for (std::size_t i = 0; i < n; ++i) out.num[i] = (a.id[i] == b.id[i]) == eq;
        return true;
      }
      for (std::size_t i = 0; i < n; ++i) {
        int c = a.id[i] == b.id[i] ? 0 : k.pool[a.id[i]].compare(k.pool[b.id[i]]);
        out.num[i] = holds(in.bop, c);
      }
      return true;
    }
    case Op::Neg: {
      const NumColumn& a = r.nums[in.a];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) {
        bool ok = a.kind[i] == Kind::Float ? put_float(out, i, -static_cast<i128>(a.num[i]), a.den[i])
                                           : put_int(out, i, -static_cast<i128>(a.num[i]));
        if (!ok) return false;
      }
      return true;
    }
    case Op::Not:
    case Op::ToBool:
    case Op::Indicator: {
      const NumColumn& a = r.nums[in.a];
      NumColumn& out = r.nums[in.out];
      if (in.op == Op::Not) {
        for (std::size_t i = 0; i < n; ++i) out.num[i] = a.num[i] == 0;
      } else {
        for (std::size_t i = 0; i < n; ++i) out.num[i] = a.num[i] != 0;
      }
      return true;
    }
    case Op::Round:
      return round_half_even(r.nums[in.a], r.nums[in.out], n);
    case Op::StrTruthy: {
      const StrColumn& a = r.strs[in.a];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) out.num[i] = !k.pool[a.id[i]].empty();
      return true;
    }
    case Op::And:
    case Op::Or: {
      const NumColumn &a = r.nums[in.a], &b = r.nums[in.b];
      NumColumn& out = r.nums[in.out];
      if (in.op == Op::And) {
        for (std::size_t i = 0; i < n; ++i) out.num[i] = (a.num[i] != 0) & (b.num[i] != 0);
      } else {
        for (std::size_t i = 0; i < n; ++i) out.num[i] = (a.num[i] != 0) | (b.num[i] != 0);
      }
      return true;
    }
    case Op::IteNum: {
      const NumColumn &c = r.nums[in.a], &a = r.nums[in.b], &b = r.nums[in.c];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) {
        const NumColumn& from = c.num[i] != 0 ? a : b;
        out.kind[i] = from.kind[i];
        out.num[i] = from.num[i];
        out.den[i] = from.den[i];
      }
      return true;
    }
    case Op::IteFixed: {
      const NumColumn &c = r.nums[in.a], &a = r.nums[in.b], &b = r.nums[in.c];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) out.num[i] = c.num[i] != 0 ? a.num[i] : b.num[i];
      return true;
    }
    case Op::IteStr: {
      const NumColumn& c = r.nums[in.a];
      const StrColumn &a = r.strs[in.b], &b = r.strs[in.c];
      StrColumn& out = r.strs[in.out];
      for (std::size_t i = 0; i < n; ++i) out.id[i] = c.num[i] != 0 ? a.id[i] : b.id[i];
      return true;
    }
    case Op::InNum: {
      const NumColumn& a = r.nums[in.a];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) {
        bool found = false;
        for (const Value& m : in.members) {
          found = found || static_cast<i128>(a.num[i]) * m.den() == static_cast<i128>(m.num()) * a.den[i];
        }
        out.num[i] = found;
      }
      return true;
    }
    case Op::InStr: {
      const StrColumn& a = r.strs[in.a];
      NumColumn& out = r.nums[in.out];
      for (std::size_t i = 0; i < n; ++i) {
        out.num[i] = std::find(in.ids.begin(), in.ids.end(), a.id[i]) != in.ids.end();
      }
      return true;
    }
    case Op::LookupNum:
    case Op::LookupStr:
      return lookup(k, in, n);
    case Op::SelectNum:
      if (in.index_keys) {
        select_by_index(in.bop, r.nums[in.b], r.sels[in.out], n, k.causal);
      } else {
        select_num(in.bop, in.ints, r.nums[in.a], r.nums[in.b], r.sels[in.out], n, k.causal);
      }
      return true;
    case Op::SelectStr:
      select_strings(k, in.bop, r.strs[in.a], r.strs[in.b], r.sels[in.out], n, k.causal);
      return true;
    case Op::SelectAll: {
      SelColumn& out = r.sels[in.out];
      if (!in.truth) {
        std::fill_n(out.row.begin(), n, std::uint64_t{0});
      } else if (!k.causal) {
        std::fill_n(out.row.begin(), n, low_bits(n));
      } else {
        for (std::size_t q = 0; q < n; ++q) out.row[q] = low_bits(q + 1);
      }
      return true;
    }
    case Op::SelAnd:
    case Op::SelOr:
      and_or(in.op == Op::SelAnd, r.sels[in.a].row.data(), r.sels[in.b].row.data(), r.sels[in.out].row.data(), n);
      return true;
    case Op::SelNot: {
      const SelColumn& a = r.sels[in.a];
      SelColumn& out = r.sels[in.out];
      for (std::size_t q = 0; q < n; ++q) out.row[q] = ~a.row[q] & low_bits(k.causal ? q + 1 : n);
      return true;
    }
    case Op::Width: {
      const SelColumn& a = r.sels[in.a];
      NumColumn& out = r.nums[in.out];
      for (std::size_t q = 0; q < n; ++q) out.num[q] = bit_count(a.row[q]);
      return true;
    }
    case Op::AggNum:
      if (in.values_fixed == static_cast<std::int8_t>(Kind::Int) && !in.members.empty() &&
          aggregate_ints(k, in.members[0], r.sels[in.a], r.nums[in.b], r.nums[in.out], n)) {
        return true;
      }
      return aggregate_num(k, in, r.sels[in.a], r.nums[in.b], r.nums[in.out], n);
    case Op::AggStr: {
      const SelColumn& sel = r.sels[in.a];
      const StrColumn& values = r.strs[in.b];
      StrColumn& out = r.strs[in.out];
      for (std::size_t q = 0; q < n; ++q) {
        std::uint64_t row = sel.row[q];
        if (row == 0) {
          if (in.ids.empty()) return false;
          out.id[q] = in.ids[0];
        } else if ((row & (row - 1)) == 0) {
          out.id[q] = values.id[static_cast<std::size_t>(std::countr_zero(row))];
        } else {
          return false;  // averaging strings: the evaluator's fault to report
        }
      }
      return true;
    }
  }
  return false;
}

std::optional<Output> output(const Kernel& k, std::size_t n) {
  Output out;
  std::size_t first = k.bos ? 1 : 0;
  switch (k.root.type) {
    case RegType::Sel: {
      const SelColumn& s = k.sels[k.root.index];
      out.is_selector = true;
      for (std::size_t q = first; q < n; ++q) {
        std::vector<bool> row;
        row.reserve(n - first);
        for (std::size_t key = first; key < n; ++key) row.push_back(((s.row[q] >> key) & 1) != 0);
        out.matrix.push_back(std::move(row));
      }
      return out;
    }
    case RegType::Str: {
      const StrColumn& s = k.strs[k.root.index];
      out.values.reserve(n - first);
      for (std::size_t i = first; i < n; ++i) out.values.push_back(k.pool_values[s.id[i]]);
      return out;
    }
    case RegType::Num:
      break;
  }
  const NumColumn& c = k.nums[k.root.index];
  out.values.reserve(n - first);
  for (std::size_t i = first; i < n; ++i) {
    // A run of one value (a mean over full_s, `length`) is made once and copied.
    if (i > first && c.kind[i] == c.kind[i - 1] && c.num[i] == c.num[i - 1] && c.den[i] == c.den[i - 1]) {
      out.values.push_back(out.values.back());
      continue;
    }
    switch (c.kind[i]) {
      case Kind::Bool:
        out.values.push_back(Value::boolean(c.num[i] != 0));
        break;
      case Kind::Float: {
        auto v = Value::rational(c.num[i], c.den[i]);
        if (!v) return std::nullopt;
        out.values.push_back(std::move(*v));
        break;
      }
      default:
        out.values.push_back(Value::integer(c.num[i]));
        break;
    }
  }
  return out;
}

std::optional<Output> run_once(Kernel& k, std::span<const Value> input, bool reuse) {
  std::size_t n = input.size() + (k.bos ? 1 : 0);
  if (input.empty() || n > kN) return std::nullopt;
  // The evaluator refuses (E0212) what its matrices would together exceed.
  if (k.selectors != 0 && n * n > k.max_matrix_cells / k.selectors) return std::nullopt;
  bool skip = reuse && k.kept_n == n;
  k.kept_n = 0;
  k.trim_pool();
  Registers registers{k.nums.data(), k.strs.data(), k.sels.data()};
  for (const Instr& in : skip ? k.dependent : k.code) {
    if (!step(k, registers, in, input, n)) return std::nullopt;
  }
  k.kept_n = n;
  return output(k, n);
}

}  // namespace

std::optional<Output> run_kernel(Kernel& k, std::span<const Value> input, bool reuse) {
  // A kernel that declined its last kGiveUpAfter inputs (a batch of faulting inputs, a
  // program whose every input overflows) is tried again only now and then.
  if (k.declined >= Kernel::kGiveUpAfter && ++k.declined % Kernel::kRetryEvery != 0) return std::nullopt;
  auto out = run_once(k, input, reuse);
  k.declined = out ? 0 : k.declined + 1;
  return out;
}

}  // namespace rasp::interp::detail
