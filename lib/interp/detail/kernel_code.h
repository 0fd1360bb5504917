// lib/interp/detail/kernel_code.h - What a kernel is made of: typed registers and column instructions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/interp/detail/kernel.h"
#include "lib/ir/expr.h"
#include "lib/ir/value.h"

namespace rasp::interp::detail {

using ir::BinaryOp;
using ir::Kind;
using ir::Value;

inline constexpr std::size_t kN = kKernelPositions;
inline constexpr std::uint32_t kNoId = UINT32_MAX;

/// A register's columns hold kN positions; an input fills the first n.
struct NumColumn {
  std::array<Kind, kN> kind{};
  std::array<std::int64_t, kN> num{};
  std::array<std::int64_t, kN> den{};
};
struct StrColumn {
  std::array<std::uint32_t, kN> id{};
};
struct SelColumn {
  std::array<std::uint64_t, kN> row{};
};

enum class RegType : std::uint8_t { Num, Str, Sel };
struct Reg {
  RegType type = RegType::Num;
  std::uint32_t index = 0;
};

enum class Op : std::uint8_t {
  TokensStr,
  TokensInt,
  Arith,      ///< a bop b over numbers: + - * / % min max
  ArithInt,   ///< the same over two fixed-kind columns of ints or bools: + - * % min max
  CompareNum,
  CompareInt, ///< over two fixed-kind columns
  CompareStr,
  CompareZero, ///< a bop 0: the numerator's sign decides (den > 0)
  Neg,
  Not,
  ToBool,
  Indicator,
  Round,
  StrTruthy,  ///< bool(a) of a string column
  And,
  Or,
  AndBits,    ///< And of two columns of bools (0 or 1 each)
  OrBits,
  NotBit,
  IteNum,     ///< b if a else c
  IteFixed,   ///< the same, b and c of one fixed kind
  IteStr,
  InNum,
  LookupNum,  ///< a constant list, string or dict indexed by a, giving numbers
  LookupStr,  ///< the same, giving strings
  InStr,
  SelectNum,  ///< cell (q, k): key a[k] bop query b[q]
  SelectStr,
  SelectAll,  ///< every cell `truth`
  SelAnd,
  SelOr,
  SelNot,
  Width,
  AggNum,     ///< selector a over values b
  AggStr,
};

struct Instr {
  Op op = Op::Arith;
  BinaryOp bop = BinaryOp::Add;
  bool independent = false;
  bool truth = false;
  /// SelectNum: both columns have a fixed kind (every denominator 1). AggNum: the values'
  /// fixed kind, or -1.
  bool ints = false;
  /// SelectNum: the keys are `indices` (0..n-1), so a row is one key or a run of keys.
  bool index_keys = false;
  std::int8_t values_fixed = -1;
  std::uint32_t out = 0, a = 0, b = 0, c = 0;
  /// InNum's members; AggNum's default and TokensInt's BOS token are members[0].
  std::vector<Value> members;
  /// InStr's members (string ids); AggStr's default and TokensStr's BOS token are ids[0].
  std::vector<std::uint32_t> ids;
  /// Lookup: the table's kind, its values (members or ids), a dict's keys with the ids of
  /// those that are strings (kNoId for the others), and whether the index is a string.
  ir::TableKind table = ir::TableKind::List;
  std::vector<Value> keys;
  std::vector<std::uint32_t> key_ids;
  bool string_index = false;
};

inline Instr instr(Op op, ir::BinaryOp bop = ir::BinaryOp::Add) {
  Instr i;
  i.op = op;
  i.bop = bop;
  return i;
}

/// A program's registers and instructions: built by kernel_build.cpp, run by kernel.cpp,
/// selector rows made by kernel_rows.cpp.
class Kernel {
 public:
  std::vector<NumColumn> nums;
  std::vector<StrColumn> strs;
  std::vector<SelColumn> sels;
  /// Per number register: the one kind (Bool or Int) it has at every position, its kinds
  /// and denominators (1) filled once when built, so instructions write numerators only;
  /// -1 when kinds vary.
  std::vector<std::int8_t> fixed;
  std::vector<Instr> code;
  /// The instructions that read tokens, run alone while the rest is kept (kept_n).
  std::vector<Instr> dependent;
  Reg root;
  bool bos = false;
  bool causal = false;
  Aggregation aggregation = Aggregation::Mean;
  std::size_t max_matrix_cells = 0;
  std::size_t selectors = 0;
  /// Interned strings: the program's constants first (`constants` of them), then tokens
  /// met in inputs, kept across evaluations up to kPoolGrowth of them.
  std::vector<std::string> pool;
  /// The same strings as values, copied into outputs.
  std::vector<Value> pool_values;
  std::size_t constants = 0;
  std::unordered_map<std::string, std::uint32_t> ids;
  /// One-byte strings' ids plus one (0: not interned yet).
  std::array<std::uint32_t, 256> byte_ids{};
  /// The length the independent registers hold values for (0: none).
  std::size_t kept_n = 0;

  static constexpr std::size_t kPoolGrowth = 4096;
  /// How many inputs in a row the kernel declined (run_kernel).
  std::size_t declined = 0;
  static constexpr std::size_t kGiveUpAfter = 32, kRetryEvery = 64;

  std::uint32_t intern(const std::string& s) {
    if (s.size() == 1) {
      auto byte = static_cast<unsigned char>(s[0]);
      if (byte_ids[byte] != 0) return byte_ids[byte] - 1;
    }
    auto [it, added] = ids.try_emplace(s, static_cast<std::uint32_t>(pool.size()));
    if (added) {
      pool.push_back(s);
      pool_values.push_back(Value::string(s));
    }
    if (s.size() == 1) byte_ids[static_cast<unsigned char>(s[0])] = it->second + 1;
    return it->second;
  }

  // Back to the constants alone, once inputs have added many strings.
  void trim_pool() {
    if (pool.size() <= constants + kPoolGrowth) return;
    pool.resize(constants);
    pool_values.resize(constants, Value::integer(0));
    ids.clear();
    byte_ids.fill(0);
    for (std::size_t i = 0; i < constants; ++i) {
      ids.emplace(pool[i], static_cast<std::uint32_t>(i));
      if (pool[i].size() == 1) byte_ids[static_cast<unsigned char>(pool[i][0])] = static_cast<std::uint32_t>(i) + 1;
    }
  }
};

// -1, 0, 1 as a compares to b (numbers).
inline int order(const NumColumn& x, std::size_t i, const NumColumn& y, std::size_t j) {
  if (x.den[i] == 1 && y.den[j] == 1) return x.num[i] < y.num[j] ? -1 : (x.num[i] > y.num[j] ? 1 : 0);
  std::int64_t l64 = 0, r64 = 0;
  if (!(__builtin_mul_overflow(x.num[i], y.den[j], &l64) | __builtin_mul_overflow(y.num[j], x.den[i], &r64))) {
    return l64 < r64 ? -1 : (l64 > r64 ? 1 : 0);
  }
  __int128 l = static_cast<__int128>(x.num[i]) * y.den[j], r = static_cast<__int128>(y.num[j]) * x.den[i];
  return l < r ? -1 : (l > r ? 1 : 0);
}

inline bool holds(BinaryOp op, int c) { return ir::comparison_holds(op, c); }

// Bits 0..n-1.
inline std::uint64_t low_bits(std::size_t n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; }

}  // namespace rasp::interp::detail
