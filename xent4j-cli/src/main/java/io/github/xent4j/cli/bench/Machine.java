package io.github.xent4j.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmark says about the machine it ran on: CPU model and its widest vector extension. */
final class Machine {

    private Machine() {
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of(); // not Linux
        }
    }

    /** The CPU model, or the architecture when /proc/cpuinfo is not there. */
    static String cpu() {
        for (String line : cpuinfo()) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    /** Whether the CPU has AVX-512 (the avx512f flag). */
    static boolean avx512() {
        return flags().contains(" avx512f");
    }

    /** "AVX-512", "AVX2" or "no AVX2", from the CPU flags. */
    static String isa() {
        String f = flags();
        return f.contains(" avx512f") ? "AVX-512" : f.contains(" avx2") ? "AVX2" : f.isEmpty() ? "unknown ISA" : "no AVX2";
    }

    private static String flags() {
        for (String line : cpuinfo()) {
            if (line.startsWith("flags")) {
                return line.substring(line.indexOf(':') + 1) + " ";
            }
        }
        return "";
    }
}
