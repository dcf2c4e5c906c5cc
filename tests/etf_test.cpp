// External Term Format: bytes made by Erlang/OTP 25 decode to the right
// terms, encode -> decode round trips for generated terms, hostile input
// gives clear errors (never a crash, hang or huge allocation), and a live
// round trip through `erl` when Erlang is installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "otter/etf.hpp"
#include "otter/term_parse.hpp"
#include "term_gen.hpp"

using namespace otter;
using namespace otter::literals;

namespace {
std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}
}  // namespace

TEST(Etf, decodes_what_erlang_otp_25_writes) {
  // Each byte string is :erlang.term_to_binary of the term beside it.
  EXPECT_EQ(etf::decode(bytes({131, 104, 2, 100, 0, 2, 111, 107, 97, 42})), tuple("ok"_a, 42));
  EXPECT_EQ(etf::decode(bytes({131, 107, 0, 3, 1, 2, 3})), (list{1, 2, 3}));
  EXPECT_EQ(etf::decode(bytes({131, 116, 0, 0, 0, 2, 100, 0, 1, 97, 97, 1, 109, 0, 0, 0, 1, 107, 108, 0, 0, 0, 2, 70,
                               63, 248, 0, 0, 0, 0, 0, 0, 98, 255, 255, 255, 249, 106})),
            (map{{"a"_a, 1}, {"k", list{1.5, -7}}}));
  EXPECT_EQ(etf::decode(bytes({131, 98, 255, 255, 255, 255})), term(-1));
  EXPECT_EQ(etf::decode(bytes({131, 98, 0, 0, 1, 44})), term(300));
  EXPECT_EQ(etf::decode(bytes({131, 110, 4, 1, 1, 0, 0, 128})), term(-2147483649LL));
  EXPECT_EQ(etf::decode(bytes({131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 127})), term(INT64_MAX));
  EXPECT_EQ(etf::decode(bytes({131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128})), term(INT64_MIN));
  EXPECT_EQ(etf::decode(bytes({131, 109, 0, 0, 0, 5, 104, 101, 108, 108, 111})), term("hello"));
  EXPECT_EQ(etf::decode(bytes({131, 108, 0, 0, 0, 1, 100, 0, 1, 97, 100, 0, 1, 98})), list::improper({"a"_a}, "b"_a));
  EXPECT_EQ(etf::decode(bytes({131, 100, 0, 1, 233})), term("é"_a));  // a Latin-1 atom
  EXPECT_EQ(etf::decode(bytes({131, 70, 64, 9, 30, 184, 81, 235, 133, 31})), term(3.14));
  EXPECT_EQ(etf::decode(bytes({131, 107, 0, 2, 104, 233})), charlist("hé"));
  EXPECT_EQ(etf::decode(bytes({131, 104, 0})), tuple());
  EXPECT_EQ(etf::decode(bytes({131, 106})), term());
}

TEST(Etf, encodes_in_the_forms_erlang_reads) {
  EXPECT_EQ(etf::encode(tuple("ok"_a, 42)), bytes({131, 104, 2, 119, 2, 111, 107, 97, 42}));
  EXPECT_EQ(etf::encode(list{1, 2, 3}), bytes({131, 107, 0, 3, 1, 2, 3}));  // STRING_EXT, as Erlang
  EXPECT_EQ(etf::encode(-1), bytes({131, 98, 255, 255, 255, 255}));
  EXPECT_EQ(etf::encode(INT64_MIN), bytes({131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128}));
  EXPECT_EQ(etf::encode(3.14), bytes({131, 70, 64, 9, 30, 184, 81, 235, 133, 31}));
  EXPECT_EQ(etf::encode("hello"), bytes({131, 109, 0, 0, 0, 5, 104, 101, 108, 108, 111}));
  EXPECT_EQ(etf::encode(term()), bytes({131, 106}));
}

TEST(Etf, pids_and_references_round_trip) {
  term p = pid((std::uint64_t{7} << 32) | 123);
  EXPECT_EQ(etf::decode(etf::encode(p)), p);
  // otter's pid parts are 32 bits each (OTP 25 reads numbers < 2^15 and serials < 2^13).
  term big = pid((std::uint64_t{0xfffffffe} << 32) | 0xfffffff0u);
  EXPECT_EQ(etf::decode(etf::encode(big)), big);
  term r = reference(0x1234567890ull);
  EXPECT_EQ(etf::decode(etf::encode(r)), r);
  EXPECT_EQ(etf::decode(etf::encode(r)).as_reference(), reference(0x1234567890ull));
  // What OTP 25 wrote for make_ref() and self() in a non-distributed node.
  term erl_ref = etf::decode(bytes({131, 90, 0, 3, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115,
                                    116, 0, 0, 0, 0, 0, 2, 246, 255, 17, 196, 0, 2, 55, 77, 149, 125}));
  EXPECT_EQ(erl_ref.to_string(), "#Reference<0.927831421.298057730.194303>");
  term erl_pid = etf::decode(bytes({131, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116,
                                    0, 0, 0, 96, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(erl_pid.to_string(), "#PID<0.96.0>");
}

TEST(Etf, generated_terms_round_trip) {
  otter_test::term_gen gen(131);
  for (int i = 0; i < 5000; ++i) {
    term t = gen.any();
    const std::string b = etf::encode(t);
    term back;
    try {
      back = etf::decode(b);
    } catch (const etf::decode_error& e) {
      FAIL() << t << ": " << e.what();
    }
    ASSERT_EQ(back, t) << t;
  }
}

namespace {
void expect_decode_error(const std::string& b, std::string_view says) {
  try {
    term t = etf::decode(b);
    ADD_FAILURE() << "decoded to " << t;
  } catch (const etf::decode_error& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(Etf, bad_input_gets_a_clear_error) {
  expect_decode_error("", "empty input");
  expect_decode_error(bytes({130, 106}), "version byte 131");
  expect_decode_error(bytes({131}), "truncated");
  expect_decode_error(bytes({131, 106, 106}), "1 bytes left after the term");
  expect_decode_error(bytes({131, 108, 255, 255, 255, 255, 106}), "cannot fit");
  expect_decode_error(bytes({131, 109, 255, 255, 255, 255, 1}), "truncated binary bytes");
  expect_decode_error(bytes({131, 116, 255, 255, 255, 255}), "cannot fit");
  expect_decode_error(bytes({131, 110, 9, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}), "does not fit in 64 bits");
  expect_decode_error(bytes({131, 110, 8, 0, 0, 0, 0, 0, 0, 0, 0, 128}), "does not fit in 64 bits");  // 2^63
  expect_decode_error(bytes({131, 70, 127, 240, 0, 0, 0, 0, 0, 0}), "NaN or infinite");
  expect_decode_error(bytes({131, 80, 0, 0, 0, 1, 120}), "compressed");
  expect_decode_error(bytes({131, 113, 100, 0, 1, 109}), "funs");
  expect_decode_error(bytes({131, 77, 0, 0, 0, 1, 3, 255}), "whole bytes");
  expect_decode_error(bytes({131, 119, 2, 0xc3, 0x28}), "bad atom");
  expect_decode_error(bytes({131, 200}), "unknown tag 200");
  expect_decode_error(bytes({131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3}), "duplicate key");
  expect_decode_error(bytes({131, 88, 119, 3, 'a', '@', 'b', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}), "only local");
  etf::decode_options safe;
  safe.existing_atoms_only = true;
  try {
    etf::decode(bytes({131, 119, 9, 'n', 'e', 'v', 'e', 'r', 's', 'e', 'e', 'n'}), safe);
    ADD_FAILURE() << "a new atom was created under existing_atoms_only";
  } catch (const etf::decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

TEST(Etf, nested_containers_cannot_claim_more_items_than_the_input_holds) {
  // Each LARGE_TUPLE_EXT claims as many items as there are bytes left; only
  // the first may: its items take those bytes, so the next claim must fail
  // at once rather than allocating for every level.
  std::string b = bytes({131});
  const std::size_t filler = 1 << 20;
  for (int level = 0; level < 10; ++level) {
    const std::uint32_t n = static_cast<std::uint32_t>(filler + 5 * (9 - level));  // the bytes after its header
    b += bytes({105, int(n >> 24) & 255, int(n >> 16) & 255, int(n >> 8) & 255, int(n) & 255});
  }
  b += std::string(filler, static_cast<char>(106));
  expect_decode_error(b, "cannot fit");
}

TEST(Etf, deep_nesting_is_refused_not_a_stack_overflow) {
  std::string deep = bytes({131});
  for (int i = 0; i < 100000; ++i) deep += bytes({104, 1});
  deep += bytes({106});
  expect_decode_error(deep, "nesting deeper than 1000");
}

TEST(Etf, every_truncation_and_random_corruption_fails_cleanly) {
  otter_test::term_gen gen(7);
  std::mt19937_64 rng(99);
  for (int i = 0; i < 300; ++i) {
    const std::string b = etf::encode(gen.any());
    for (std::size_t n = 0; n < b.size(); ++n) EXPECT_THROW(etf::decode(b.substr(0, n)), etf::decode_error);
    for (int k = 0; k < 20; ++k) {
      std::string c = b;
      c[rng() % c.size()] = static_cast<char>(rng());
      try {
        (void)etf::decode(c);  // a term or a clear error; nothing else
      } catch (const etf::decode_error&) {
      }
    }
  }
}

TEST(EtfErlang, erlang_reads_otters_bytes_and_otter_reads_erlangs) {
  if (std::system("command -v erl >/dev/null 2>&1") != 0) GTEST_SKIP() << "erl is not installed (scripts/install-deps.sh installs it)";
  otter_test::term_gen gen(2026);
  std::vector<term> terms, encoded;
  for (int i = 0; i < 500; ++i) {
    terms.push_back(gen.any());
    encoded.push_back(term::binary(etf::encode(terms.back())));
  }
  const auto dir = std::filesystem::temp_directory_path() / ("otter_etf_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "in.bin", out = dir / "out.bin";
  {
    std::ofstream f(in, std::ios::binary);
    f << etf::encode(term::list_of(encoded));
  }
  // Erlang decodes each of otter's encodings and encodes the term again itself.
  const std::string cmd = "HOME=\"${HOME:-/tmp}\" erl -noshell -eval '{ok, F} = file:read_file(\"" + in.string() +
                          "\"), L = binary_to_term(F), ok = file:write_file(\"" + out.string() +
                          "\", term_to_binary([term_to_binary(binary_to_term(B)) || B <- L])), halt().' 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << cmd;
  std::ifstream f(out, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::filesystem::remove_all(dir);
  term back = etf::decode(ss.str());
  ASSERT_EQ(back.size(), terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i)
    EXPECT_EQ(etf::decode(back[i].as_binary()), terms[i]) << "through Erlang: " << terms[i];
}
