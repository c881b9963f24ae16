package io.github.xent4j.cli;

import org.junit.jupiter.api.Test;

import static io.github.xent4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private static final String[] COMMANDS = {"cross-entropy", "nll-loss", "bce", "bce-with-logits", "kl-div", "softmax",
            "log-softmax", "explain", "demo"};

    @Test
    void everySubcommandHasHelpWithAnExample() {
        for (String c : COMMANDS) {
            String out = run(c, "--help").ok();
            assertTrue(out.startsWith("Usage: xent " + c), out);
            assertTrue(out.contains("Example"), c + " --help has an example:\n" + out);
            assertTrue(out.contains("  xent " + c) || c.equals("nll-loss") || c.equals("kl-div"), c + ":\n" + out);
        }
    }

    @Test
    void topLevelHelpListsTheSubcommands() {
        String out = run("--help").ok();
        for (String c : COMMANDS) {
            assertTrue(out.contains("  " + c), c + " in:\n" + out);
        }
        assertTrue(out.contains("train") && out.contains("bench") && out.contains("generate-completion"), out);
    }

    @Test
    void noSubcommandIsBadUsageWithTheUsageOnStderr() {
        Cli.Run r = run();
        assertTrue(r.code() == 2 && r.out().isEmpty() && r.err().startsWith("Usage: xent"), r.err());
    }

    @Test
    void versionNamesTheKernels() {
        String out = run("--version").ok();
        assertTrue(out.startsWith("xent ") && out.contains("kernels: "), out);
    }

    @Test
    void generatedCompletionScriptKnowsTheSubcommandsAndOptions() {
        String script = run("generate-completion").ok();
        assertTrue(script.contains("complete -F _complete_xent") && script.contains("xent"), script.substring(0, 200));
        for (String s : new String[] {"cross-entropy", "bce-with-logits", "--label-smoothing", "--pos-weight", "--log-target", "batchmean"}) {
            assertTrue(script.contains(s), s);
        }
    }
}
