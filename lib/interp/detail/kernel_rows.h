// lib/interp/detail/kernel_rows.h - A kernel's selector rows: one 64-bit word per query.
#pragma once

#include "lib/interp/detail/kernel_code.h"

namespace rasp::interp::detail {

/// Rows of select(keys, queries, op) over numbers: per-value key masks when the keys span
/// few values, runs when they are `indices` (select_by_index), the keys sorted once past 16
/// positions, else a comparison per cell. `ints`: both columns have a fixed kind.
void select_num(BinaryOp op, bool ints, const NumColumn& keys, const NumColumn& queries, SelColumn& out,
                std::size_t n, bool causal);

/// The same where the keys are `indices`, 0..n-1: each row is one key or a run of keys.
void select_by_index(BinaryOp op, const NumColumn& queries, SelColumn& out, std::size_t n, bool causal);

/// Rows of select(keys, queries, op) over strings: ids for equality, ranks in the strings'
/// order for the orderings.
void select_strings(const Kernel& k, BinaryOp op, const StrColumn& keys, const StrColumn& queries, SelColumn& out,
                    std::size_t n, bool causal);

}  // namespace rasp::interp::detail
