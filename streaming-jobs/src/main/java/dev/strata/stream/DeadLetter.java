package dev.strata.stream;

/** A record the job could not use: the source, the reason (one sentence) and the record itself. */
public record DeadLetter(String source, String reason, String record) {}
