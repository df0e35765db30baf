# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'signal_list.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHeaderView, QLabel,
    QLineEdit, QPushButton, QSizePolicy, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget)

class Ui_SignalList(object):
    def setupUi(self, SignalList):
        if not SignalList.objectName():
            SignalList.setObjectName(u"SignalList")
        SignalList.resize(300, 400)
        self.layout = QVBoxLayout(SignalList)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(2, 2, 2, 2)
        self.shotLabel = QLabel(SignalList)
        self.shotLabel.setObjectName(u"shotLabel")

        self.layout.addWidget(self.shotLabel)

        self.searchEdit = QLineEdit(SignalList)
        self.searchEdit.setObjectName(u"searchEdit")
        self.searchEdit.setClearButtonEnabled(True)

        self.layout.addWidget(self.searchEdit)

        self.tree = QTreeWidget(SignalList)
        self.tree.setObjectName(u"tree")
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)

        self.layout.addWidget(self.tree)

        self.plotButton = QPushButton(SignalList)
        self.plotButton.setObjectName(u"plotButton")

        self.layout.addWidget(self.plotButton)


        self.retranslateUi(SignalList)

        QMetaObject.connectSlotsByName(SignalList)
    # setupUi

    def retranslateUi(self, SignalList):
        self.shotLabel.setText(QCoreApplication.translate("SignalList", u"No shot selected", None))
        self.searchEdit.setPlaceholderText(QCoreApplication.translate("SignalList", u"Find a signal\u2026", None))
        ___qtreewidgetitem = self.tree.headerItem()
        ___qtreewidgetitem.setText(2, QCoreApplication.translate("SignalList", u"Units", None))
        ___qtreewidgetitem.setText(1, QCoreApplication.translate("SignalList", u"Channel", None))
        ___qtreewidgetitem.setText(0, QCoreApplication.translate("SignalList", u"Signal", None))
        self.plotButton.setText(QCoreApplication.translate("SignalList", u"Plot selected", None))
        pass
    # retranslateUi

