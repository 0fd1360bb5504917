// checkers/smt/encoder.h - A RASP program over inputs of one length as Z3 terms.
#pragma once

#include <z3++.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/interp/evaluator.h"
#include "lib/ir/diagnostic.h"
#include "lib/ir/program.h"

namespace rasp::check {

/// One expression of one program: what a query is about.
struct ProgramRef {
  const ir::Program* program = nullptr;
  ir::NodeId root = 0;
};

/// What every query shares: the semantics and the raw input symbols.
struct EncodeOptions {
  interp::Options semantics;
  /// The raw token values an input is made of, in the order that defines "least input";
  /// each Tokens node converts them by its own token type, as the interpreter does.
  std::vector<ir::Value> vocabulary;
};

/// How the numeric part of a symbolic value is held in Z3.
enum class NumRep : std::uint8_t { Bool, Int, Real };

/// One atom at one position. RASP atoms are dynamically typed, so a value is a string (an
/// Int index into the encoder's sorted string table, so that string order is index order),
/// a number (Bool, Int or Real sort), or, when it depends on the input, either of them with
/// `is_str` saying which.
struct SymValue {
  std::optional<z3::expr> str;
  std::optional<z3::expr> num;
  NumRep num_rep = NumRep::Int;
  /// Present exactly when both `str` and `num` are.
  std::optional<z3::expr> is_str;
};

/// The root of one program at one length.
struct EncodedRoot {
  bool is_selector = false;
  /// S-op values at the positions the user sees (BOS removed).
  std::vector<SymValue> values;
  /// Selector cells [query][key] at the positions the user sees.
  std::vector<std::vector<z3::expr>> matrix;
  /// True exactly on the inputs where the interpreter reports a run-time error (averaging
  /// non-numbers, division by zero, a bad index, a mixed-type sequence) in any node the
  /// root depends on.
  z3::expr fault;
};

/// A node of the program last encoded, as its root would be: `root.fault` is true where
/// the node or any node it depends on fails; `own_fault` where the node itself fails
/// (division by zero in its expression, averaging non-numbers, ...) given its operands.
struct EncodedNode {
  EncodedRoot root;
  z3::expr own_fault;
};

/// Encodes programs over inputs of exactly `length` tokens drawn from the vocabulary.
///
/// Token i is the Int symbol `token(i)`, an index into the vocabulary; `domain()` bounds
/// them. Every program given to `make` shares these symbols and one string table, so their
/// roots can be compared. Constructions the encoder cannot translate exactly (for example
/// `str()` of an unbounded number) fail with E0401 rather than approximate.
class Encoder {
 public:
  [[nodiscard]] static Result<Encoder> make(z3::context& ctx, std::size_t length,
                                            const EncodeOptions& options,
                                            const std::vector<ProgramRef>& programs);

  /// Encodes the root of `programs[which]`.
  [[nodiscard]] Result<EncodedRoot> encode(std::size_t which);
  /// An ancestor of the root last passed to `encode` (itself included); nothing for other
  /// nodes or before the first `encode`.
  [[nodiscard]] std::optional<EncodedNode> node(ir::NodeId id) const;

  [[nodiscard]] std::size_t length() const;
  [[nodiscard]] const z3::expr& token(std::size_t i) const;
  /// Every token symbol indexes the vocabulary.
  [[nodiscard]] z3::expr domain() const;
  /// Python's `==` on two atoms (numbers by value, strings by content, never across).
  [[nodiscard]] z3::expr equal(const SymValue& a, const SymValue& b) const;
  /// Python's truthiness of an atom.
  [[nodiscard]] z3::expr truthy(const SymValue& value) const;
  /// Whether two encoded roots differ on the input: one faults and the other does not, or
  /// neither faults and some position or selector cell differs. Both must be s-ops or both
  /// selectors.
  [[nodiscard]] z3::expr differ(const EncodedRoot& a, const EncodedRoot& b) const;
  /// The atom a model gives `value`: a string, or a number as Bool, Int or Float (a Float
  /// may stand for an int-valued atom of the program; compare with Python's `==`).
  [[nodiscard]] ir::Value value_in(const z3::model& model, const SymValue& value) const;
  /// The raw input a model assigns to the token symbols.
  [[nodiscard]] std::vector<ir::Value> decode(const z3::model& model) const;
  /// The strings atoms can take, sorted; a string atom is its index here.
  [[nodiscard]] const std::vector<std::string>& string_table() const;

  Encoder(Encoder&&) noexcept;
  Encoder& operator=(Encoder&&) noexcept;
  ~Encoder();

  class Impl;

 private:
  explicit Encoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> d_impl;
};

}  // namespace rasp::check
