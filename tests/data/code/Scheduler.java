package org.example.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** A cooperative job scheduler with nested types and a long run loop. */
public class Scheduler {
    public enum State { IDLE, RUNNING, STOPPED }

    @FunctionalInterface
    public interface Job {
        boolean step(long now);
    }

    static final class Entry implements Comparable<Entry> {
        final Job job;
        long due;
        final String name;

        Entry(String name, Job job, long due) {
            this.name = name;
            this.job = job;
            this.due = due;
        }

        @Override
        public int compareTo(Entry other) {
            return Long.compare(due, other.due);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private final List<String> log = new ArrayList<>();
    private State state = State.IDLE;

    public void schedule(String name, Job job, Duration delay) {
        queue.add(new Entry(name, job, System.nanoTime() + delay.toNanos()));
    }

    public void run(long budgetNanos) {
        state = State.RUNNING;
        long start = System.nanoTime();
        int steps = 0;
        int finished = 0;
        while (!queue.isEmpty() && state == State.RUNNING) {
            long now = System.nanoTime();
            if (now - start > budgetNanos) {
                log.add("budget exhausted after " + steps + " steps");
                break;
            }
            Entry next = queue.peek();
            if (next.due > now) {
                try {
                    Thread.sleep(Math.max(0, (next.due - now) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    state = State.STOPPED;
                    log.add("interrupted");
                    return;
                }
                continue;
            }
            queue.poll();
            steps++;
            boolean more = next.job.step(now);
            if (more) {
                next.due = now + 1_000_000;
                queue.add(next);
            } else {
                finished++;
                log.add(next.name + " finished at step " + steps);
            }
        }
        log.add(finished + " jobs finished, " + queue.size() + " pending");
        state = State.IDLE;
    }

    public List<String> log() {
        return log;
    }
}
