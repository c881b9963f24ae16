package io.github.xent4j.cli;

import io.github.xent4j.Xent4j;
import io.github.xent4j.cli.bench.BenchCommand;
import io.github.xent4j.cli.train.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code xent} command line. */
@Command(name = "xent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The cross-entropy family of losses, exactly as PyTorch defines them.",
        subcommands = {TrainCommand.class, BenchCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for main and for in-process tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    /** {@code xent --version}: the version and the active kernels. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"xent " + Xent4j.version(), "kernels: " + Xent4j.kernels(),
                    "java: " + System.getProperty("java.version")};
        }
    }
}
