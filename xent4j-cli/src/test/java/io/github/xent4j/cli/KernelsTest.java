package io.github.xent4j.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels are chosen once per JVM, so each case here is a fresh JVM on this test's class path. */
class KernelsTest {

    private static Cli.Run java(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "xent " + String.join(" ", args) + " did not end");
        String stderr = new String(err, StandardCharsets.UTF_8).replaceFirst("^WARNING: Using incubator modules: .*\n", "");
        return new Cli.Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), stderr);
    }

    @Test
    void anUnknownKernelsValueIsOneLineOfBadUsageBeforeAnyCommandRuns() throws Exception {
        for (String[] args : new String[][] {{"--version"}, {"demo"}, {"softmax", "--help"}}) {
            Cli.Run r = java(List.of("-Dxent4j.kernels=bogus"), args);
            String err = r.badUsage();
            assertEquals("", r.out(), "nothing on stdout for " + String.join(" ", args));
            assertEquals("xent: -Dxent4j.kernels=bogus is not valid; use auto (the default), scalar or vector (see 'xent --help')", err);
        }
    }

    @Test
    void versionSaysWhichKernelsRunAndWhyTheyAreScalar() throws Exception {
        String vector = java(List.of("--add-modules", "jdk.incubator.vector"), "--version").ok();
        assertTrue(vector.contains("\nkernels: vector-"), vector);
        String scalar = java(List.of(), "--version").ok();
        assertTrue(scalar.contains("\nkernels: scalar (the Vector API kernels need java --add-modules jdk.incubator.vector"),
                scalar);
        String forced = java(List.of("--add-modules", "jdk.incubator.vector", "-Dxent4j.kernels=scalar"), "--version").ok();
        assertTrue(forced.contains("\nkernels: scalar\n"), forced);
    }
}
