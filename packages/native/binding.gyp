{
  "targets": [
    {
      "target_name": "twinnet_native",
      "sources": ["src/kernels.cc"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-fno-math-errno", "-ffp-contract=off", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
