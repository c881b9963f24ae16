package io.github.xent4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The output files a command line names, found the same way whether parsing succeeded or not, so
 * that a failed run of any kind removes them (a stale result from an earlier run would look like
 * this run's).
 *
 * <p>An output option is a {@link Path} option named {@code --out} or {@code --grad...}. Its values
 * are read from the raw arguments ({@code --out F} or {@code --out=F}, up to a {@code --}), since a
 * parse error may stop picocli before it reaches them. A file is removed only if it is a regular file that no other
 * argument names (an output that would overwrite an input is refused, and the input kept).
 */
final class OutputFiles {

    private OutputFiles() {
    }

    /** Whether {@code option} names a file the command writes. */
    static boolean isOutput(OptionSpec option) {
        String name = option.longestName();
        return option.type() == Path.class && (name.equals("--out") || name.startsWith("--grad"));
    }

    /** The values of {@code command}'s output options in {@code args}, in order. */
    static List<String> named(CommandSpec command, List<String> args) {
        List<String> names = new ArrayList<>();
        Set<String> all = new HashSet<>();
        for (OptionSpec o : command.options()) {
            all.addAll(List.of(o.names()));
            if (isOutput(o)) {
                names.addAll(List.of(o.names()));
            }
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                break;
            }
            for (String n : names) {
                if (a.equals(n)) {
                    // as picocli: an option name is never taken as the value of the option before it
                    if (i + 1 < args.size() && !isOptionName(args.get(i + 1), all)) {
                        values.add(args.get(++i));
                    }
                    break;
                }
                if (a.startsWith(n + "=")) {
                    values.add(a.substring(n.length() + 1));
                    break;
                }
            }
        }
        return values;
    }

    private static boolean isOptionName(String arg, Set<String> names) {
        int eq = arg.indexOf('=');
        return names.contains(eq > 0 ? arg.substring(0, eq) : arg);
    }

    /** Deletes the regular files named by {@code command}'s output options in {@code args}; best effort. */
    static void removeNamed(CommandSpec command, List<String> args) {
        for (String value : named(command, args)) {
            Path out;
            try {
                out = Path.of(value);
            } catch (InvalidPathException e) {
                continue;
            }
            if (!Files.isRegularFile(out) || namedByAnotherArgument(out, value, args)) {
                continue;
            }
            try {
                Files.deleteIfExists(out);
            } catch (IOException | SecurityException ignored) {
                // best effort: the error being reported matters more
            }
        }
    }

    private static boolean namedByAnotherArgument(Path out, String value, List<String> args) {
        int seen = 0;
        for (String a : args) {
            String v = a.startsWith("--") && a.indexOf('=') > 0 ? a.substring(a.indexOf('=') + 1) : a;
            if (v.equals(value) && seen++ == 0) {
                continue;
            }
            try {
                Path p = Path.of(v);
                if (Files.isRegularFile(p) && Files.isSameFile(p, out)) {
                    return true;
                }
            } catch (InvalidPathException | IOException | SecurityException ignored) {
                // not a file name
            }
        }
        return false;
    }
}
