"""Essay bodies that use everything a reader's page must show well."""

RICH_BODY = """\
Autonomy is the buzzword these days.[^1] Everyone says they want it, and every team
says it gives it.[^why] The word has been stretched thin.[^1]

## What it means at work

Autonomy means having the power to do what's right for the company **without approval**
from a higher-up. It does *not* mean working alone: see [the handbook](https://example.com/handbook)
and the `git blame` of any long-lived file.

> The best teams I have worked in argued a lot, and then somebody just did the thing.
>
> — a colleague

1. Talk to the customer.
2. Fix the bug.
3. Make sure it never happens again.

| Team | People | Deploys a week |
|:-----|-------:|---------------:|
| Ingestion | 6 | 41 |
| Billing | 4 | 12 |

```python
def autonomy(person: str) -> bool:
    \"\"\"A long line that would scroll sideways on a phone if code did not wrap.\"\"\"
    return person != "waiting for permission"
```

---

That is autonomy. The whole story is at
<https://example.com/engineering/2024/05/20/autonomy-and-what-it-takes-to-give-it-a-retrospective>.

[^1]: Not for everyone: some people struggle with making decisions in some areas.
[^why]: Team leads were involved, but they are not *managers*: they guide, they don't approve.
"""

# Notes of every kind a reader's page must place: close together, long, in a heading, a
# list, a quote, a table cell and bold text, one referred to twice, and a note with
# blocks (paragraphs, a list, code) and a link of its own.
NOTES_BODY = """\
Notes close together:[^a] one,[^b] two,[^c] three in one line. Then a long paragraph
that goes on for a while, so that the text wraps across several lines of the measure and
the notes' places can be seen when a reference is not on the paragraph's first line: here
it is.[^long]

## A heading with a note[^h]

- A list item with a note.[^li]
- Another item.

> A quote with a note.[^q]

| Team | Note |
|------|------|
| Ingestion | a cell with a note[^t] |

A paragraph with **bold text and a note**[^bold], a [link](https://example.com/linked) and
the first note again.[^a]

Many more:[^m1] notes[^m2] in[^m3] a[^m4] row.[^m5] And a last paragraph to end on.

[^a]: Short A.
[^b]: Short B.
[^c]: Short C with `code`.
[^long]: A long note that runs on: it has several sentences. It explains a subtle point
    in detail, with [a link of its own](https://example.com/long) and some *emphasis*.

    A second paragraph of the long note.

    - an item
    - another item

    ```python
    print("code in a note")
    ```
[^h]: A note on a heading.
[^li]: A note in a list.
[^q]: A note in a quote.
[^t]: A note in a table.
[^bold]: A note in bold text.
[^m1]: Many one.
[^m2]: Many two, a little longer than the others so that it takes two lines.
[^m3]: Many three.
[^m4]: Many four.
[^m5]: Many five.
"""
