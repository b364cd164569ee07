// The clustering of -s layout (chunk/layout.hpp): components of the edges
// at or above the threshold, made contiguous; groups over the size limit cut
// where the broken edges weigh least.
#include <doctest/doctest.h>

#include <map>
#include <utility>
#include <vector>

#include "chunk/layout.hpp"

using namespace hewn::chunk;

namespace {

struct Graph {
  std::map<std::pair<std::size_t, std::size_t>, double> w;
  double operator()(std::size_t i, std::size_t j) const {
    auto it = w.find({i, j});
    return it == w.end() ? 0.0 : it->second;
  }
};

}  // namespace

TEST_CASE("layout groups: components of the heavy edges, contiguous") {
  Graph g;
  g.w[{0, 1}] = 0.9;
  g.w[{2, 4}] = 0.5;  // joins 2..4, 3 included
  g.w[{4, 5}] = 0.1;  // light: cut
  auto all = [](std::size_t, std::size_t) { return true; };
  CHECK(layout_groups(6, 8, std::cref(g), 0.15, all) == std::vector<std::size_t>{0, 2, 5});
  // An edge beyond the span is not read.
  CHECK(layout_groups(6, 1, std::cref(g), 0.15, all) == std::vector<std::size_t>{0, 2, 3, 4, 5});
  CHECK(layout_groups(0, 8, std::cref(g), 0.15, all).empty());
  CHECK(layout_groups(1, 8, std::cref(g), 0.15, all) == std::vector<std::size_t>{0});
}

TEST_CASE("layout groups: a group too large is cut where it costs least") {
  Graph g;
  g.w[{0, 1}] = 0.3;
  g.w[{1, 2}] = 0.8;
  g.w[{2, 3}] = 0.4;
  // At most two blocks a group: 0 | 1 2 | 3 breaks 0.3 + 0.4, less than
  // 0 1 | 2 3 (0.8).
  auto two = [](std::size_t s, std::size_t e) { return e - s < 2; };
  CHECK(layout_groups(4, 8, std::cref(g), 0.15, two) == std::vector<std::size_t>{0, 1, 3});
  // At most three: 0 | 1 2 3 (0.3) beats 0 1 2 | 3 (0.4).
  auto three = [](std::size_t s, std::size_t e) { return e - s < 3; };
  CHECK(layout_groups(4, 8, std::cref(g), 0.15, three) == std::vector<std::size_t>{0, 1});
  // One block a group: every cut.
  auto one = [](std::size_t s, std::size_t e) { return s == e; };
  CHECK(layout_groups(4, 8, std::cref(g), 0.15, one) == std::vector<std::size_t>{0, 1, 2, 3});
}
