{
  # Portable by construction: the addon is built for the baseline x86-64 (SSE2), and the kernels (compute.cc)
  # once more per instruction set, each in its own namespace; addon.cc picks one at load time from what the
  # CPU reports. No -march=native anywhere, so the binary (and turbo's cached copy of it) runs on any x86-64.
  # -mtune=native only schedules instructions for the build machine: it never adds any. The avx512 route's
  # code is what -march=native compiled before, on the AVX-512 machine this was measured on.
  "target_defaults": {
    "cflags_cc": ["-O3", "-fopenmp", "-fno-math-errno", "-ffp-contract=off", "-std=c++17", "-fPIC"],
    "cflags_cc!": ["-fno-exceptions"],
    "conditions": [["target_arch=='x64'", {"cflags_cc": ["-mtune=native"]}]]
  },
  "targets": [
    {
      "target_name": "twinnet_native",
      "sources": ["src/addon.cc"],
      "dependencies": ["route_baseline"],
      "libraries": ["-ldnnl", "-fopenmp"],
      "conditions": [
        ["target_arch=='x64'", {"cflags_cc": ["-march=x86-64"], "dependencies": ["route_avx2", "route_avx512"]}]
      ]
    },
    {
      "target_name": "route_baseline",
      "type": "static_library",
      "sources": ["src/compute.cc"],
      "defines": ["TWINNET_ROUTE=baseline", "TWINNET_ROUTE_LEVEL=0"],
      "conditions": [["target_arch=='x64'", {"cflags_cc": ["-march=x86-64"]}]]
    }
  ],
  "conditions": [
    [
      "target_arch=='x64'",
      {
        "targets": [
          {
            "target_name": "route_avx2",
            "type": "static_library",
            "sources": ["src/compute.cc"],
            "defines": ["TWINNET_ROUTE=avx2", "TWINNET_ROUTE_LEVEL=3"],
            "cflags_cc": ["-march=x86-64-v3"]
          },
          {
            "target_name": "route_avx512",
            "type": "static_library",
            "sources": ["src/compute.cc"],
            "defines": ["TWINNET_ROUTE=avx512", "TWINNET_ROUTE_LEVEL=4"],
            "cflags_cc": ["-march=x86-64-v4"]
          }
        ]
      }
    ]
  ]
}
