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
