package io.github.xent4j.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void tinyRunPrintsTheTableAndEndsWithTheSummary(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("bench.md");
        int code = run("--cases", "ce-16x10,ce-8x1000", "--threads", "1,2", "--seconds", "0.01",
                "--out", md.toString());
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("| cross_entropy | 8x1000 | fwd+bwd | 2 |"), text);
        assertTrue(text.contains("gradient into a reused buffer"), text);
        assertTrue(text.contains("target: every case, fwd+bwd >= 2.0x: n/a (no --compare-torch)"), text);
        List<String> lines = text.strip().lines().toList();
        assertTrue(lines.get(lines.size() - 1).startsWith(
                "summary: fwd+bwd speedup vs torch over all cases: n/a (no --compare-torch) (1 thread)"), text);
        assertTrue(text.endsWith(Files.readString(md)), "the file holds the printed table");
    }

    @Test
    void missingPythonIsReportedAndTheXentSideStillRuns() {
        int code = run("--compare-torch", "--python", "/nonexistent/python3", "--cases", "ce-8x10",
                "--threads", "1", "--seconds", "0.01");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("torch: not available: /nonexistent/python3 cannot be started"), out.toString());
        assertTrue(out.toString().contains("| cross_entropy | 8x10 | fwd | 1 |"), out.toString());
    }

    @Test
    void everyCaseRunsAtATinySize() {
        // the quick catalogue, shrunk further by a tiny time budget: each case's xent4j side runs
        int code = run("--quick", "--threads", "1", "--seconds", "0.001", "--cases",
                "ce-weighted,ce-kdim,ce-probs,nll,bce,bce-logits,bce-logits-posweight,kl");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        for (String op : new String[] {"| nll_loss |", "| binary_cross_entropy |", "| bce_with_logits |", "| kl_div |",
                "| cross_entropy | (4, 21, 64, 64) |"}) {
            assertTrue(text.contains(op), op + " in " + text);
        }
    }

    @Test
    void unknownCaseIsAUsageError() {
        assertEquals(2, run("--cases", "10by20"));
        assertTrue(err.toString().contains("--cases: '10by20' is not a case"), err.toString());
    }

    private static BenchCommand.Row row(String op, String label, int c, String mode, int threads, double xentMs, double torchMs) {
        return new BenchCommand.Row(op, label, c, 1000, mode, threads, xentMs, 0, torchMs, "default", 0,
                new MachineBound.Bound(xentMs / 1.5, xentMs / 2));
    }

    @Test
    void summaryAndTargetsTakeTheMinimumOverTheirCases() {
        List<BenchCommand.Row> rows = List.of(
                row("cross_entropy", "10x100", 100, "fwd+bwd", 1, 1, 3),          // 3.0x
                row("cross_entropy", "10x1000", 1000, "fwd+bwd", 1, 2, 9),        // 4.5x
                row("cross_entropy", "10x32000", 32000, "fwd+bwd", 1, 2, 8),      // 4.0x
                row("cross_entropy", "10x32000", 32000, "fwd", 1, 1, 1.5),        // forward: ignored
                row("cross_entropy", "(2, 3, 4, 4)", 3, "fwd+bwd", 2, 1, 2.5),    // 2.5x, K-dim
                row("kl_div", "10x1000", 1000, "fwd+bwd", 2, 1, 5));              // 5.0x
        assertEquals("summary: fwd+bwd speedup vs torch over all cases: min 3.00x (1 thread), min 2.50x (2 threads)",
                BenchCommand.summary(rows, true));
        List<String> t = BenchCommand.targets(rows, true);
        assertEquals("target: every case, fwd+bwd >= 2.0x: min 3.00x (1 thread) met, min 2.50x (2 threads) met", t.get(0));
        assertEquals("target: cross-entropy at C >= 1000 (plain, weighted, probabilities) >= 3.5x: min 4.00x (1 thread) met",
                t.get(1));
        assertEquals("target: cross-entropy K-dim >= 3.0x: min 2.50x (2 threads) MISSED", t.get(2));
        assertTrue(t.get(3).startsWith("target: within 1.3x of the machine bound at C >= 32000: worst 1.50x MISSED"), t.get(3));
    }
}
