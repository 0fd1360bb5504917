// lib/interp/all_inputs.h - Every input of one length over a vocabulary, in order.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "lib/ir/value.h"

namespace rasp::interp {

/// Every input of `length` tokens over `vocab`, in the order of their vocabulary positions
/// with the first position most significant: vocab[0] repeated first, and an input before
/// every input it is less than. The exhaustive searches (equivalence, counterexamples,
/// witnesses) all walk it, so "the least input" means one thing everywhere.
class AllInputs {
 public:
  /// `vocab` must outlive this and have at least one token.
  AllInputs(std::span<const ir::Value> vocab, std::size_t length)
      : d_vocab(vocab), d_digit(length, 0), d_input(length, vocab.front()) {}

  [[nodiscard]] const std::vector<ir::Value>& operator*() const { return d_input; }
  [[nodiscard]] const std::vector<ir::Value>* operator->() const { return &d_input; }

  /// Steps to the next input; false, and back at the first, after the last.
  bool next() {
    std::size_t i = d_digit.size();
    while (i > 0 && ++d_digit[i - 1] == d_vocab.size()) {
      d_digit[i - 1] = 0;
      d_input[i - 1] = d_vocab[0];
      --i;
    }
    if (i == 0) return false;
    d_input[i - 1] = d_vocab[d_digit[i - 1]];
    return true;
  }

 private:
  std::span<const ir::Value> d_vocab;
  std::vector<std::size_t> d_digit;
  std::vector<ir::Value> d_input;
};

}  // namespace rasp::interp
