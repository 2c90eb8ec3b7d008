// SPDX-License-Identifier: Apache-2.0
// For SystemC programs with an ordinary main(): Debian's libsystemc carries its own main,
// which calls sc_main, so the library refers to sc_main even when nothing calls it. This
// weak definition satisfies that reference; a program that defines sc_main (the SystemC test
// programs) overrides it. Programs with their own main also skip sc_elab_and_sim, and with it
// SystemC's banner. Linked whole into every SystemC program (tessera_sc_support).
#include <cstdio>
#include <cstdlib>

extern "C" __attribute__((weak)) int sc_main(int, char**) {
  std::fprintf(stderr, "tessera: sc_main called in a program that has its own main\n");
  std::abort();
}
