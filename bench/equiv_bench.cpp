// bench/equiv_bench.cpp - Seconds to prove each equivalent corpus/equiv pair, SMT against enumeration.
//
// One benchmark per (pair, N, method): `smt/<file>:<expr>/N` and `enumerate/<file>:<expr>/N`.
// RASPKIT_EQUIV_LENGTHS (comma-separated, default 4,6,8) picks N; enumeration is skipped
// beyond 2 million inputs. Each runs once: a proof is not a microbenchmark.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "checkers/smt/equivalence.h"
#include "lib/front/front.h"

namespace {

namespace fs = std::filesystem;
using namespace rasp;

struct Pair {
  std::string file;
  std::string expr_a;
  std::string target;  // [other.rasp:]expr
  std::vector<ir::Value> vocab;
};

std::vector<Pair> equivalent_pairs() {
  std::vector<Pair> pairs;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(RASPKIT_SOURCE_DIR) / "corpus/equiv")) {
    if (e.path().extension() == ".rasp") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  static const std::regex expr_line(R"(^#\s*EXPR:\s*(.*\S)\s*$)");
  static const std::regex equiv_line(R"(^#\s*EQUIV:\s*(\S+)\s+vocab=(\S+)\s+max-len=\d+\s*$)");
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line, expr;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_match(line, m, expr_line)) expr = m[1];
      if (std::regex_match(line, m, equiv_line) && !expr.empty()) {
        Pair p{f.string(), expr, m[1], {}};
        std::stringstream symbols(m[2].str());
        for (std::string s; std::getline(symbols, s, ',');) p.vocab.push_back(ir::Value::string(s));
        pairs.push_back(std::move(p));
      }
    }
  }
  return pairs;
}

struct Loaded {
  front::Module a;
  std::optional<front::Module> b;
  ir::NodeId ra = 0, rb = 0;
};

std::shared_ptr<Loaded> load(const Pair& p) {
  auto a = front::load_file(p.file);
  if (!a) return nullptr;
  auto l = std::make_shared<Loaded>(Loaded{std::move(*a), std::nullopt});
  auto ra = front::evaluate_expression(l->a, p.expr_a);
  if (!ra) return nullptr;
  l->ra = *ra;
  std::string target = p.target;
  front::Module* mb = &l->a;
  if (auto colon = target.find(".rasp:"); colon != std::string::npos) {
    auto b = front::load_file((fs::path(p.file).parent_path() / target.substr(0, colon + 5)).string());
    if (!b) return nullptr;
    l->b = std::move(*b);
    mb = &*l->b;
    target = target.substr(colon + 6);
  }
  auto rb = front::evaluate_expression(*mb, target);
  if (!rb) return nullptr;
  l->rb = *rb;
  return l;
}

std::vector<int> lengths() {
  std::vector<int> out;
  const char* env = std::getenv("RASPKIT_EQUIV_LENGTHS");
  std::stringstream s(env ? env : "4,6,8");
  for (std::string t; std::getline(s, t, ',');) out.push_back(std::stoi(t));
  return out;
}

void run(benchmark::State& state, std::shared_ptr<Loaded> l, Pair p, int n, bool smt) {
  check::BoundedOptions o;
  o.vocabulary = p.vocab;
  o.max_len = n;
  o.timeout_seconds = 600;
  o.enumerate_up_to = 0;  // measure Z3 itself
  o.race_up_to = 0;
  for (auto _ : state) {
    auto mb = l->b ? &l->b->program : &l->a.program;
    auto v = smt ? check::check_equivalence({&l->a.program, l->ra}, {mb, l->rb}, o)
                 : check::enumerate_equivalence({&l->a.program, l->ra}, {mb, l->rb}, o);
    if (!v || !std::holds_alternative<check::Proven>(*v)) {
      state.SkipWithError(!v ? "error" : std::holds_alternative<check::Inconclusive>(*v)
                                             ? std::get<check::Inconclusive>(*v).reason.c_str()
                                             : "counterexample");
      return;
    }
    benchmark::DoNotOptimize(v);
  }
  state.counters["inputs"] = std::pow(static_cast<double>(p.vocab.size()), n);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& p : equivalent_pairs()) {
    auto l = load(p);
    if (!l) continue;
    std::string name = fs::path(p.file).filename().string() + ":" + p.expr_a;
    for (int n : lengths()) {
      benchmark::RegisterBenchmark(("smt/" + name + "/" + std::to_string(n)).c_str(), run, l, p, n, true)
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
      double inputs = 0;
      for (int k = 1; k <= n; ++k) inputs += std::pow(static_cast<double>(p.vocab.size()), k);
      if (inputs <= 2e6) {
        benchmark::RegisterBenchmark(("enumerate/" + name + "/" + std::to_string(n)).c_str(), run, l, p, n, false)
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
