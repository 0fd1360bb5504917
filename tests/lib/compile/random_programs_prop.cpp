// tests/lib/compile/random_programs_prop.cpp - Random programs: the compiled weights are the
// interpreter, or the compiler refuses with a located diagnostic.
//
// The programs come from tests/support/random_programs.h (maps, compared and composite selects,
// numerical and categorical aggregates, selector widths over tokens "a", "b", "c"). A failing
// program is shrunk by RapidCheck and written as JSON IR (`raspkit run FILE --expr failing`) to
// RASPKIT_REGRESS_DIR, or the test's temporary folder; once understood, it is rewritten in the
// RASP dialect with its expectations into corpus/regress/, which `raspkit check` and the
// compiler corpus test run.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "lib/ir/json.h"
#include "tests/lib/compile/programs.h"
#include "tests/support/random_programs.h"

namespace rasp::compile {
namespace {

namespace fs = std::filesystem;
using check::testing::Chooser;
using testing::Agreement;
using testing::compare_all;

constexpr int kMaxLen = 4;

std::string regress_dir() {
  const char* env = std::getenv("RASPKIT_REGRESS_DIR");
  return env ? std::string(env) : ::testing::TempDir();
}

/// Every input up to kMaxLen, in float64 and float32: the number of mismatches, and the first.
Agreement check_model(const ir::Program& program, ir::NodeId root, const Model& model) {
  std::vector<ir::Value> vocab = check::testing::strings("abc");
  Agreement a = compare_all(program, root, model, vocab, kMaxLen, Precision::Float64);
  Agreement f = compare_all(program, root, model, vocab, kMaxLen, Precision::Float32);
  a.mismatches += f.mismatches;
  if (a.first_mismatch.empty()) a.first_mismatch = f.first_mismatch;
  return a;
}

/// Saves a failing program as JSON IR under regress_dir(). Every failing case while RapidCheck
/// shrinks overwrites the same file, so the one left is the shrunk program.
std::string save_failure(const ir::Program& program, ir::NodeId root) {
  nlohmann::json doc = ir::program_to_json(program);
  doc["outputs"]["failing"] = root;  // raspkit run FILE --expr failing
  fs::create_directories(regress_dir());
  std::string path = regress_dir() + "/compile-shrunk.json";
  std::ofstream(path) << doc.dump(1) << "\n";
  return path;
}

RC_GTEST_PROP(CompileRandomProp, WeightsAgreeWithTheInterpreterOrTheCompilerRefuses, ()) {
  auto choices = *rc::gen::container<std::vector<int>>(40, rc::gen::inRange(0, 1000));
  check::testing::Builder b;
  Chooser chooser(choices);
  ir::NodeId root = check::testing::random_program(b, chooser);
  CompileOptions options;
  options.vocab = check::testing::strings("abc");
  options.max_len = kMaxLen;
  options.width_fusion = *rc::gen::element(WidthFusion::Auto, WidthFusion::Always, WidthFusion::Never);
  auto model = compile(b.program, root, options);
  if (!model) {
    // A refusal names its reason with a code and the node's place in the program.
    const Diagnostic& d = model.error().front();
    RC_TAG("refused " + d.code);
    RC_ASSERT(!d.code.empty());
    RC_ASSERT(!d.message.empty());
    return;
  }
  Agreement a = check_model(b.program, root, *model);
  RC_TAG(a.compared == 0 ? "compiled, no input evaluates" : "compiled, compared");
  RC_TAG(fmt::format("{} layers", model->layers.size()));
  if (a.mismatches > 0) {
    RC_LOG() << "saved to " << save_failure(b.program, root) << " (--width-fusion "
             << static_cast<int>(options.width_fusion) << ", 0 auto, 1 always, 2 never): "
             << a.first_mismatch << "\n";
  }
  RC_ASSERT(a.mismatches == 0u);
}

}  // namespace
}  // namespace rasp::compile
