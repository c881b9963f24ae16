package io.github.xent4j.cli.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a CSV text into the fields of its content lines, skipping blank lines and {@code #}
 * comments, and tracking physical line numbers for messages.
 *
 * <p>The separator is chosen on the first content line: a comma, semicolon or tab if exactly one of
 * them occurs there outside quotes (two kinds are ambiguous and rejected); otherwise runs of
 * whitespace if the line has inner whitespace (the format {@code numpy.savetxt} writes by default);
 * otherwise the file has one column. Fields are trimmed; a field may be enclosed in double quotes,
 * with {@code ""} for a quote inside, but may not span lines.
 */
final class CsvLines {

    private static final char WHITESPACE = ' ';
    private static final char NOT_DETECTED = '\0';

    private final BufferedReader reader;
    private final String source;
    private long lineNumber;
    private char separator = NOT_DETECTED;

    CsvLines(BufferedReader reader, String source) {
        this.reader = reader;
        this.source = source;
    }

    /** The physical line number (1-based) of the line {@link #next()} returned last. */
    long lineNumber() {
        return lineNumber;
    }

    /** The fields of the next content line, or null at the end of the text. */
    List<String> next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (separator == NOT_DETECTED) {
                separator = detect(line);
            }
            return separator == WHITESPACE ? Arrays.asList(trimmed.split("\\s+")) : split(line);
        }
        return null;
    }

    private char detect(String line) {
        int commas = 0;
        int semicolons = 0;
        int tabs = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                commas += c == ',' ? 1 : 0;
                semicolons += c == ';' ? 1 : 0;
                tabs += c == '\t' ? 1 : 0;
            }
        }
        List<String> kinds = new ArrayList<>();
        if (commas > 0) {
            kinds.add("commas");
        }
        if (semicolons > 0) {
            kinds.add("semicolons");
        }
        if (tabs > 0) {
            kinds.add("tabs");
        }
        if (kinds.size() > 1) {
            throw DataException.at(source, lineNumber, "cannot tell the separator: the line contains "
                    + String.join(" and ", kinds));
        }
        if (semicolons > 0) {
            return ';';
        }
        if (tabs > 0) {
            return '\t';
        }
        if (commas == 0 && line.strip().chars().anyMatch(Character::isWhitespace)) {
            return WHITESPACE;
        }
        return ',';
    }

    private List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        int n = line.length();
        int i = 0;
        while (true) {
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                StringBuilder field = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw DataException.at(source, lineNumber, fields.size() + 1L, "unclosed quote");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                while (i < n && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i < n && line.charAt(i) != separator) {
                    throw DataException.at(source, lineNumber, fields.size() + 1L,
                            "unexpected text after a closing quote");
                }
                fields.add(field.toString().strip());
            } else {
                int end = line.indexOf(separator, i);
                if (end < 0) {
                    end = n;
                }
                fields.add(line.substring(i, end).strip());
                i = end;
            }
            if (i >= n) {
                return fields;
            }
            i++;
        }
    }

    private boolean isBlank(char c) {
        return c != separator && Character.isWhitespace(c);
    }
}
