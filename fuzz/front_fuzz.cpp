// fuzz/front_fuzz.cpp - Fuzz target: RASP source text through the front end and the
// interpreter.
//
// Loads the bytes as a `.rasp` file; when it loads, evaluates the last assignment on three
// short inputs derived from the bytes. Every failure must be a diagnostic; the program must
// also survive a JSON IR round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "lib/front/front.h"
#include "lib/interp/evaluator.h"
#include "lib/ir/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rasp;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto module = front::load_source(text, "fuzz.rasp");
  if (!module) {
    fuzz::expect_explained(module.error(), "load_source");
    (void)front::render(module.error());
    return 0;
  }
  auto reread = ir::program_from_json(ir::program_to_json(module->program));
  if (!reread) fuzz::fail("program_to_json output does not load: " + reread.error().front().message);
  if (reread->size() != module->program.size()) fuzz::fail("JSON round trip changed the node count");
  if (!module->last_assigned) return 0;
  std::uint64_t seed = fuzz::hash_bytes(text);
  ir::TokenType type = fuzz::token_type_of(module->program);
  for (const auto& input : fuzz::inputs_for(type, seed, 3)) {
    auto out = interp::evaluate(module->program, *module->last_assigned, input,
                                fuzz::options_for(seed));
    if (!out) {
      fuzz::expect_explained(out.error(), "evaluate");
      (void)front::render(out.error(), &*module);
    }
  }
  return 0;
}
