"""Comments: threaded one level, Markdown rendered safely, edit/delete own, moderators hide."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from dailypapers.community.markdown import render
from dailypapers.db.models import Comment, Paper, User, utcnow

MAX_LENGTH = 10_000


class CommentError(ValueError):
    """Why a comment cannot be posted or changed; safe to show."""


def add_comment(
    session: Session, user: User, paper_id: int, body: str, parent_id: int | None = None
) -> Comment:
    body = _checked(body)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.paper_id != paper_id or parent.deleted:
            raise CommentError("That comment is gone; reply to the paper instead.")
        parent_id = parent.parent_id or parent.id  # threads are one level deep
    comment = Comment(
        paper_id=paper_id,
        user_id=user.id,
        parent_id=parent_id,
        body=body,
        body_html=render(body),
        hidden=False,
        deleted=False,
    )
    session.add(comment)
    session.flush()
    recount(session, paper_id)
    return comment


def edit_comment(session: Session, user: User, comment_id: int, body: str) -> Comment:
    comment = _own(session, user, comment_id)
    comment.body = _checked(body)
    comment.body_html = render(comment.body)
    comment.edited_at = utcnow()
    return comment


def delete_comment(session: Session, user: User, comment_id: int) -> Comment:
    comment = _own(session, user, comment_id)
    comment.deleted = True
    comment.body, comment.body_html = "", ""
    recount(session, comment.paper_id)
    return comment


def set_hidden(session: Session, moderator: User, comment_id: int, hidden: bool) -> Comment:
    if not moderator.is_moderator:
        raise PermissionError("Only moderators can hide comments.")
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise CommentError("No such comment.")
    comment.hidden = hidden
    recount(session, comment.paper_id)
    return comment


def recount(session: Session, paper_id: int) -> None:
    """Set the paper's count of visible comments from the comments themselves (one statement,
    so concurrent comments cannot lose a count the way read-add-write would)."""
    session.flush()
    visible = (
        select(func.count())
        .where(Comment.paper_id == paper_id, Comment.hidden.is_(False), Comment.deleted.is_(False))
        .scalar_subquery()
    )
    session.execute(
        update(Paper).where(Paper.id == paper_id).values(community_comments=visible),
        execution_options={"synchronize_session": False},
    )
    loaded = session.identity_map.get(identity_key(Paper, paper_id))
    if loaded is not None:  # the page shown next must read the new count
        session.expire(loaded, ["community_comments"])


def thread(
    session: Session, paper_id: int, viewer: User | None
) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments with their replies, oldest first; hidden ones only for moderators."""
    query = (
        select(Comment).where(Comment.paper_id == paper_id).order_by(Comment.created_at, Comment.id)
    )
    if not (viewer and viewer.is_moderator):
        query = query.where(Comment.hidden.is_(False))
    comments = list(session.scalars(query))
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [(c, replies.get(c.id, [])) for c in comments if c.parent_id is None]


def comments_of(session: Session, user: User, limit: int = 200) -> list[Comment]:
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.user_id == user.id, Comment.deleted.is_(False))
            .order_by(Comment.created_at.desc())
            .limit(limit)
        )
    )


def _checked(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError("Write something first.")
    if len(body) > MAX_LENGTH:
        raise CommentError(f"Comments are at most {MAX_LENGTH:,} characters.")
    return body


def _own(session: Session, user: User, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted:
        raise CommentError("No such comment.")
    if comment.user_id != user.id:
        raise PermissionError("You can change only your own comments.")
    return comment
