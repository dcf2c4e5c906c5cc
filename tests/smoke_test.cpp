#include <gtest/gtest.h>
#include "otter/otter.hpp"
TEST(Smoke, builds) { otter::runtime rt; SUCCEED(); }
