// checkers/smt/detail/bounded_search.cpp - Length by length: prove with Z3, or find the least input.
#include "checkers/smt/detail/bounded_search.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "lib/interp/all_inputs.h"

namespace rasp::check {

bool outcomes_differ(const Result<interp::Output>& a, const Result<interp::Output>& b) {
  if (a.has_value() != b.has_value()) return true;
  if (!a) return false;
  if (a->is_selector != b->is_selector) return true;
  if (a->is_selector) return a->matrix != b->matrix;
  if (a->values.size() != b->values.size()) return true;
  for (std::size_t i = 0; i < a->values.size(); ++i) {
    if (!(a->values[i] == b->values[i])) return true;
  }
  return false;
}

namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

class Budget {
 public:
  explicit Budget(double seconds, double per_call = 0)
      : d_seconds(seconds), d_per_call(per_call), d_start(Clock::now()) {}
  [[nodiscard]] bool limited() const { return d_seconds > 0; }
  /// Whether solver calls get a timeout: the query's or their own.
  [[nodiscard]] bool calls_limited() const { return d_seconds > 0 || d_per_call > 0; }
  [[nodiscard]] double left() const {
    return d_seconds - std::chrono::duration<double>(Clock::now() - d_start).count();
  }
  [[nodiscard]] bool expired() const { return limited() && left() <= 0; }
  /// The next solver call's timeout in milliseconds: the time left, capped per call.
  [[nodiscard]] unsigned millis() const {
    double seconds = limited() ? left() : d_per_call;
    if (d_per_call > 0) seconds = std::min(seconds, d_per_call);
    return static_cast<unsigned>(std::max(1.0, std::ceil(seconds * 1000)));
  }
  [[nodiscard]] double per_call() const { return d_per_call; }
  [[nodiscard]] std::string timeout_reason(int length) const {
    return fmt::format("timeout after {:g} s at length {}", d_seconds, length);
  }

 private:
  double d_seconds;
  double d_per_call;
  Clock::time_point d_start;
};

/// Every input of one length in vocabulary order, first position most significant.
/// Returns the first on which the claim fails, an Inconclusive on timeout, or nothing.
std::optional<Verdict> enumerate_length(const Claim& claim, const BoundedOptions& options,
                                        int length, const Budget& budget, int proven) {
  interp::AllInputs input(options.vocabulary, static_cast<std::size_t>(length));
  std::size_t tried = 0;
  do {
    Run run = claim.run(*input);
    if (run.fails) return Counterexample{*input, std::move(run.a), std::move(run.b)};
    if ((++tried & 1023) == 0 && budget.expired()) {
      return Inconclusive{budget.timeout_reason(length), proven};
    }
  } while (input.next());
  return std::nullopt;
}

double input_count(std::size_t vocab, int length) {
  return std::pow(static_cast<double>(vocab), static_cast<double>(length));
}

bool is_unsupported(const Diagnostics& d) {
  return !d.empty() && d.front().code == code::kUnsupported;
}

}  // namespace

Result<Verdict> bounded_search(const Claim& claim, const BoundedOptions& options) {
  if (options.vocabulary.empty()) return fail(code::kInput, "the vocabulary is empty");
  Budget budget(options.timeout_seconds, options.solver_timeout_seconds);
  Proven proven;
  for (int n = 1; n <= options.max_len; ++n) {
    if (options.on_length) options.on_length(n);
    if (budget.expired()) return Inconclusive{budget.timeout_reason(n), n - 1};
    // The encoder refuses what it cannot translate exactly; short lengths are still
    // settled by running every input.
    auto fallback = [&](const Diagnostics& why) -> std::optional<Verdict> {
      std::string reason = why.front().message;
      if (input_count(options.vocabulary.size(), n) > static_cast<double>(options.exhaustive_fallback)) {
        return Inconclusive{fmt::format("length {}: {}", n, reason), n - 1};
      }
      if (auto v = enumerate_length(claim, options, n, budget, n - 1)) return v;
      proven.methods.push_back("exhaustive (" + reason + ")");
      proven.proven_up_to = n;
      return std::nullopt;
    };
    double count = input_count(options.vocabulary.size(), n);
    if (count <= static_cast<double>(options.enumerate_up_to)) {
      if (auto v = enumerate_length(claim, options, n, budget, n - 1)) return *v;
      proven.methods.push_back("exhaustive");
      proven.proven_up_to = n;
      continue;
    }
    // Z3's share of work when it races running every input (BoundedOptions::race_up_to),
    // within the caller's own limit; 0 when it does not race.
    unsigned share = 0;
    if (count <= static_cast<double>(options.race_up_to)) {
      share = static_cast<unsigned>(count) * kZ3UnitsPerInput;
      if (options.rlimit > 0) share = std::min(share, options.rlimit);
    }
    // Z3 gave up within its share (or a call's own timeout): every input is run instead.
    auto enumerate_instead = [&](const std::string& why) -> std::optional<Verdict> {
      if (auto v = enumerate_length(claim, options, n, budget, n - 1)) return v;
      proven.methods.push_back("exhaustive (" + why + ")");
      proven.proven_up_to = n;
      return std::nullopt;
    };
    try {
      z3::context ctx;
      auto encoder = Encoder::make(ctx, static_cast<std::size_t>(n),
                                   EncodeOptions{options.semantics, options.vocabulary},
                                   claim.programs);
      if (!encoder) {
        if (!is_unsupported(encoder.error())) return tl::unexpected(encoder.error());
        if (auto v = fallback(encoder.error())) return *v;
        continue;
      }
      std::vector<EncodedRoot> roots;
      std::optional<Diagnostics> refused;
      for (std::size_t i = 0; i < claim.programs.size() && !refused; ++i) {
        auto root = encoder->encode(i);
        if (!root) {
          if (!is_unsupported(root.error())) return tl::unexpected(root.error());
          refused = root.error();
        } else {
          roots.push_back(std::move(*root));
        }
      }
      if (refused) {
        if (auto v = fallback(*refused)) return *v;
        continue;
      }
      auto violation = claim.violation(*encoder, roots);
      if (!violation) return tl::unexpected(violation.error());
      z3::solver solver(ctx);
      if (share > 0) {
        solver.set("rlimit", share);
      } else if (options.rlimit > 0) {
        solver.set("rlimit", options.rlimit);
      }
      // How long the last call ran: Z3 does not always say "timeout" when its timer stops it.
      double last_call = 0;
      auto check = [&]() {
        if (budget.calls_limited()) solver.set("timeout", budget.millis());
        auto start = Clock::now();
        z3::check_result r = solver.check();
        last_call = std::chrono::duration<double>(Clock::now() - start).count();
        return r;
      };
      solver.add(encoder->domain());
      solver.add(*violation);
      z3::check_result r = check();
      if (r == z3::unsat) {
        proven.methods.push_back("smt");
        proven.proven_up_to = n;
        continue;
      }
      // Why Z3 gave up: a verdict, or nothing when every input was run instead and held.
      // Z3 names a resource limit and a timeout alike ("canceled" or "timeout"); racing,
      // any unknown sends the length to enumeration, which settles it either way.
      auto unknown = [&]() -> std::optional<Verdict> {
        std::string why = solver.reason_unknown();
        if (budget.expired()) return Inconclusive{budget.timeout_reason(n), n - 1};
        if (share > 0) return enumerate_instead(fmt::format("Z3 gave up within {} resource units: {}", share, why));
        if (options.rlimit > 0 && why != "timeout" && !(why == "canceled" && budget.calls_limited())) {
          return Inconclusive{fmt::format("a solver call used up its resource limit (rlimit {}) "
                                          "at length {}: {}",
                                          options.rlimit, n, why),
                              n - 1};
        }
        bool timer = budget.per_call() > 0 && last_call >= budget.per_call();
        if (why == "timeout" || why == "canceled" || timer) {
          if (budget.per_call() > 0) {  // the query's own budget is not used up
            return Inconclusive{fmt::format("a solver call timed out after {:g} s at length {}",
                                            budget.per_call(), n),
                                n - 1};
          }
          return Inconclusive{budget.timeout_reason(n), n - 1};
        }
        return Inconclusive{fmt::format("Z3 answered unknown at length {}: {}", n, why), n - 1};
      };
      if (r == z3::unknown) {
        if (auto v = unknown()) return *v;
        continue;
      }
      // The least failing input of this length: fix each position to the least symbol
      // that keeps the violation satisfiable. The current model bounds the search.
      z3::model model = solver.get_model();
      std::vector<ir::Value> input;
      for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
        const z3::expr& t = encoder->token(i);
        int chosen = model.eval(t, true).get_numeral_int();
        for (int v = 0; v < chosen; ++v) {
          solver.push();
          solver.add(t == v);
          z3::check_result rv = check();
          if (rv == z3::sat) {
            model = solver.get_model();
            solver.pop();
            chosen = v;
            break;
          }
          solver.pop();
          if (rv == z3::unknown) {
            // A failing input exists: enumeration finds the least one, or Z3 answered
            // unknown with no share to fall back on.
            if (auto v = unknown()) return *v;
            return Inconclusive{fmt::format("Z3 found a failing input of length {} that running every input "
                                            "does not (a raspkit bug; please report it)",
                                            n),
                                n - 1};
          }
        }
        solver.add(t == chosen);
        input.push_back(options.vocabulary[static_cast<std::size_t>(chosen)]);
      }
      Run run = claim.run(input);
      if (!run.fails) {
        return Inconclusive{
            fmt::format("the SMT encoding and the interpreter disagree on input {} (a raspkit bug; "
                        "please report it)",
                        interp::describe_input(input)),
            n - 1};
      }
      return Counterexample{std::move(input), std::move(run.a), std::move(run.b)};
    } catch (const z3::exception& e) {
      return Inconclusive{fmt::format("Z3 failed at length {}: {}", n, e.msg()), n - 1};
    }
  }
  return proven;
}

Result<Verdict> enumerate(const Claim& claim, const BoundedOptions& options) {
  Budget budget(options.timeout_seconds);
  Proven proven;
  for (int n = 1; n <= options.max_len; ++n) {
    if (options.on_length) options.on_length(n);
    if (auto v = enumerate_length(claim, options, n, budget, n - 1)) return *v;
    proven.methods.push_back("exhaustive");
    proven.proven_up_to = n;
  }
  return proven;
}

}  // namespace detail
}  // namespace rasp::check
