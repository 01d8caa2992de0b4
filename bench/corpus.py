"""A deterministic corpus of essays in the site's format, for the tests and the benchmarks.

    python bench/corpus.py OUTDIR [--posts 1000] [--seed 1]

Each file is `YYYY-MM-DD_slug.md`, written as `export_essays` writes an essay (front matter
`slug: "/x"`, `date`, `title`, `externalLink`, then the body), so importing and exporting a
corpus gives it back byte for byte. The mix is an essay blog's:

- about 1 in 10 is a link post: `externalLink` set and a one-line note;
- about 3 in 10 use the writer's own footnotes: `word(1)` in the text, then after a `--`
  line one paragraph per note, `(1) the note`; about 2 in 10 use `word[^1]` and `[^1]: note`;
- paragraphs with emphasis, strong, links, inline code and the odd `<abbr>`; bulleted and
  numbered lists, block quotes, `##` headings, fenced code;
- bodies from a few hundred bytes to about 40 KB, most of a few KB;
- dates walk back from 2025-06-30, a few a week, so every essay is already published.

The same `posts` and `seed` give the same bytes on any machine: one `random.Random(seed)`,
no clock, no set or dict order. Standard library only.
"""

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

VOCABULARY = [
    word
    for line in (
        "essay writing reader draft habit craft team trust hiring manager engineer customer",
        "product launch roadmap decision meeting feedback question answer problem idea company",
        "market pricing revenue growth culture handbook remote office process tooling deploy",
        "release test review bug metric dashboard week month year morning evening garden bicycle",
        "coffee library story book note letter lesson mistake surprise patience focus attention",
        "simple hard small large quick slow clear honest quiet direct careful useful boring",
        "important obvious strange better worse early late often rarely always never maybe",
        "build ship learn write read think listen change keep start stop measure explain choose",
        "the a of to in and that is it for on with as was at by but not from this we they you",
    )
    for word in line.split()
]
SITES = ("example.org", "essays.example.com", "notes.example.net", "github.com", "lwn.net")
LANGUAGES = ("python", "sh", "sql", "")
# Blocks of a body with their weights: mostly prose.
BLOCKS = {"paragraph": 68, "bullets": 9, "numbers": 5, "quote": 6, "heading": 7, "code": 5}
# Body lengths in blocks: many short essays, a few long ones (up to about 40 KB).
LENGTHS = (2, 3, 4, 6, 8, 10, 12, 16, 20, 30, 50, 140)
LATEST = dt.date(2025, 6, 30)


class _Essays:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, low: int, high: int) -> list[str]:
        return self.rng.choices(VOCABULARY, k=self.rng.randint(low, high))

    def sentence(self, low: int = 5, high: int = 20) -> str:
        words = self.words(low, high)
        i = self.rng.randrange(len(words))
        roll = self.rng.random()
        if roll < 0.12:
            words[i] = f"*{words[i]}*"
        elif roll < 0.18:
            words[i] = f"**{words[i]}**"
        elif roll < 0.28:
            words[i] = (
                f"[{words[i]}](https://{self.rng.choice(SITES)}/{self.rng.choice(VOCABULARY)})"
            )
        elif roll < 0.32:
            words[i] = f"`{words[i]}()`"
        elif roll < 0.34:
            words[i] = '<abbr title="in my opinion">IMO</abbr>'
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice(".....?!")

    def paragraph(self, low: int = 1, high: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def block(self) -> str:
        kind = self.rng.choices(list(BLOCKS), weights=list(BLOCKS.values()))[0]
        if kind == "paragraph":
            return self.paragraph()
        if kind == "bullets":
            return "\n".join(f"- {self.sentence(3, 9)}" for _ in range(self.rng.randint(2, 6)))
        if kind == "numbers":
            count = self.rng.randint(2, 5)
            return "\n".join(f"{n}. {self.sentence(3, 9)}" for n in range(1, count + 1))
        if kind == "quote":
            return "> " + self.paragraph(1, 3)
        if kind == "heading":
            return "## " + " ".join(self.words(2, 6)).capitalize()
        names = self.words(2, 6)
        lines = [f"{name}_{n} = {self.rng.randint(0, 999)}" for n, name in enumerate(names)]
        return f"```{self.rng.choice(LANGUAGES)}\n" + "\n".join(lines) + "\n```"

    def body(self, notes: str) -> str:
        """A body; notes: "legacy" (the writer's `word(1)`), "caret" (`word[^1]`) or ""."""
        blocks = [self.block() for _ in range(self.rng.choice(LENGTHS))]
        # Markers go after a word in plain paragraphs (not lists, quotes, headings or code).
        prose = [i for i, block in enumerate(blocks) if block[0].isalpha()]
        chosen = sorted(self.rng.sample(prose, min(len(prose), self.rng.randint(1, 4))))
        footer = []
        for n, i in enumerate(chosen if notes else [], start=1):
            marker = f"({n})" if notes == "legacy" else f"[^{n}]"
            # After the first sentence's last word: "word(1)." or "word[^1]."
            end = blocks[i].find(". ")
            end = len(blocks[i]) - 1 if end == -1 else end
            blocks[i] = blocks[i][:end] + marker + blocks[i][end:]
            note = self.paragraph(1, 2)
            footer.append(f"({n}) {note}" if notes == "legacy" else f"[^{n}]: {note}")
        text = "\n\n".join(blocks)
        if footer and notes == "legacy":
            return text + "\n\n--\n\n" + "\n\n".join(footer)
        return "\n\n".join([text, *footer])

    def essay(self, index: int, day: dt.date) -> tuple[str, str]:
        title = " ".join(self.words(1, 7)).capitalize()
        slug = "-".join([*title.lower().split()[:5], str(index)])
        link = ""
        roll = self.rng.random()
        if roll < 0.1:
            link = f"https://{self.rng.choice(SITES)}/{slug}/"
            body = f"{self.sentence(4, 14)} See {link}"
        else:
            body = self.body("legacy" if roll < 0.4 else "caret" if roll < 0.6 else "")
        text = (
            f'---\nslug: "/{slug}"\ndate: "{day.isoformat()}"\ntitle: "{title}"\n'
            f'externalLink: "{link}"\n---\n\n{body}\n'
        )
        return f"{day.isoformat()}_{slug}.md", text


def essays(posts: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    """(file name, text) of each essay, newest first."""
    make = _Essays(seed)
    day = LATEST
    for index in range(posts):
        yield make.essay(index, day)
        day -= dt.timedelta(days=make.rng.choice((0, 1, 1, 2, 3)))


def write(folder: Path, posts: int, seed: int = 1) -> Path:
    """Write the corpus into folder (made if missing) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in essays(posts, seed):
        (folder / name).write_bytes(text.encode())
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write(args.folder, args.posts, args.seed)
    files = list(args.folder.glob("*.md"))
    size = sum(path.stat().st_size for path in files)
    print(f"{args.posts} essays, {size:,} bytes, in {args.folder}")


if __name__ == "__main__":
    main()
