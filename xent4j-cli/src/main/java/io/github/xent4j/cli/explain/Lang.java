package io.github.xent4j.cli.explain;

/** The language of an explanation: English (the default) or Chinese, the tutorial's language. */
public enum Lang {
    en, zh;

    /** The text in this language. */
    String t(String english, String chinese) {
        return this == zh ? chinese : english;
    }
}
